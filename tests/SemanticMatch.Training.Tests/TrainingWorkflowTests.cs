using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Text;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Search;
using SemanticMatch.Training.Augmenting;
using SemanticMatch.Training.Fitting;
using SemanticMatch.Training.Workflow;

namespace SemanticMatch.Training.Tests;

/// <summary>The training workflow as a library call, as <c>semmatch train</c> makes it: augmentation, hard negatives, fine-tuning.</summary>
[Collection(TorchCollection.Name)]
public sealed class TrainingWorkflowTests
{
    private static readonly (string Id, string Title, string Brand)[] s_catalogue =
    [
        ("d1", "cordless drill 20v", "dewalt"), ("d2", "hammer drill kit", "makita"), ("d3", "drill bit set", "bosch"),
        ("h1", "garden hose 50 ft", "flexzilla"), ("h2", "expandable garden hose", "gardena"), ("h3", "hose nozzle", "melnor"),
        ("p1", "paint roller", "wooster"), ("p2", "paint brush set", "purdy"), ("l1", "led light bulb", "philips"),
        ("l2", "outdoor light fixture", "hampton"), ("f1", "kitchen faucet", "moen"), ("f2", "bathroom faucet chrome", "delta"),
    ];

    [Fact]
    public void Run_AugmentsMinesHardNegativesOverTheChosenFields_AndWritesAModel()
    {
        using var output = new TempDirectory();
        var products = s_catalogue.Select(p => new Product(p.Id, p.Title, new Dictionary<string, string> { ["brand"] = p.Brand })).ToList();
        var train = new List<Judgment>();
        foreach (var (query, relevant) in new[] { ("dewalt drill", "d1"), ("garden hose", "h2"), ("paint brush", "p2"), ("moen faucet", "f1"),
                     ("light bulb", "l1"), ("hose nozzle", "h3") })
        {
            train.AddRange(products.Select(p => new Judgment(query, p.Id, p.Id == relevant ? 3 : 1)));
        }

        var dev = new[] { new Judgment("makita drill", "d2", 3), new Judgment("makita drill", "h1", 1), new Judgment("makita drill", "p1", 1) };
        var notes = new Notes();
        var run = new TrainingRun
        {
            Products = products,
            Train = train,
            Dev = dev,
            BaseModel = BundledModels.DefaultKey,
            OutputDirectory = Path.Combine(output.Path, "model"),
            Text = new ProductText(["title", "brand"], TextNormalizationOptions.Default),
            Language = TextLanguage.En,
            Options = new TrainingOptions
            {
                Epochs = 1, BatchSize = 8, HardNegatives = true, Augmentations = [Augmentation.Typos], AugmentRate = 1, MaxProductLength = 16, Seed = 3,
            },
        };

        var history = TrainingWorkflow.Run(run, notes, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, history.Scores.Count); // before training, after epoch 1
        Assert.Contains(notes.Lines, l => l.StartsWith("augmentation typos: 6 rewritten queries", StringComparison.Ordinal));
        Assert.Contains(notes.Lines, l => l == "hard negatives for 12 of 12 positives"); // 6 queries + their 6 rewrites
        Assert.Contains(notes.Steps, s => s == "mining hard negatives: embedding 12 products");
        Assert.Equal(ModelKind.BiEncoder, ModelDirectory.Open(run.OutputDirectory).Config.Kind);
    }

    [Fact]
    public void Run_RefusesATeacherThatIsNoCrossEncoder_BeforeAnyWork()
    {
        using var output = new TempDirectory();
        var run = new TrainingRun
        {
            Products = [new Product("p", "drill")],
            Train = [new Judgment("drill", "p", 3)],
            Dev = [new Judgment("drill", "p", 3)],
            BaseModel = BundledModels.DefaultKey,
            OutputDirectory = Path.Combine(output.Path, "model"),
            Options = new TrainingOptions { Objective = Objective.Distil, Teacher = BundledModels.DefaultKey },
        };

        var error = Assert.Throws<InvalidRequestException>(() => TrainingWorkflow.Run(run, cancellationToken: TestContext.Current.CancellationToken));

        Assert.StartsWith("teacher: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("distillation learns from a cross-encoder", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(run.OutputDirectory));
    }

    private sealed class Notes : IProgressSink
    {
        public List<string> Lines { get; } = [];

        public List<string> Steps { get; } = [];

        public IProgress<int> Begin(string description, int total)
        {
            Steps.Add(description);
            return new Progress<int>();
        }

        public void Note(string message) => Lines.Add(message);
    }
}
