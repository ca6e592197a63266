using SemanticMatch.Core;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;
using Spectre.Console;

namespace SemanticMatch.CommandLine;

/// <summary>Loads what commands need, reporting skipped rows and slow steps on standard error.</summary>
public static class Inputs
{
    private const int ShownSkips = 10;

    /// <summary>Stops with a user error naming --fields when a chosen field is not a column of <paramref name="products"/>.</summary>
    /// <exception cref="UserError">A field is not a column.</exception>
    public static void CheckFields(Search.ProductText text, IReadOnlyList<Product> products, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.FieldsProblem(products, source) is { } problem)
        {
            throw new UserError($"--fields: {problem.Rule}");
        }
    }

    /// <summary>Reads a products file, reporting skipped rows.</summary>
    public static IReadOnlyList<Product> Products(string path, ReadOptions options) =>
        Report(ProductReader.Read(path, options), path, "product");

    /// <summary>Reads a judgments file against the known product ids, reporting skipped rows.</summary>
    public static IReadOnlyList<Judgment> Judgments(string path, IReadOnlySet<string> productIds, ReadOptions options,
        RelevanceScale? scale = null) =>
        Report(JudgmentReader.Read(path, productIds, options, scale), path, "judgment");

    /// <summary>
    /// Reads judgment files and the products they name: those of the products file, plus the texts of judgment files
    /// that carry them as they are (QBQTC's <c>query,title,label</c>, AFQMC's <c>sentence1,sentence2,label</c>; each
    /// text's id is <see cref="JudgmentLayout.IdOf"/> it). A file of judgments by product id needs the products file.
    /// </summary>
    /// <param name="productsPath">The products file, or null when every judgment file carries its texts.</param>
    /// <param name="judgmentPaths">The judgment files, in the order their judgments are returned.</param>
    /// <param name="options">Bad-row policy.</param>
    public static (IReadOnlyList<Product> Products, IReadOnlyList<IReadOnlyList<Judgment>> Judgments) JudgedProducts(string? productsPath,
        IReadOnlyList<string> judgmentPaths, ReadOptions options)
    {
        var products = productsPath is null ? [] : Products(productsPath, options).ToList();
        var ids = products.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var judgments = new List<IReadOnlyList<Judgment>>();
        foreach (var path in judgmentPaths)
        {
            if (JudgmentReader.TextLayoutOf(path) is null)
            {
                judgments.Add(productsPath is null
                    ? throw new UserError($"{path} names products by id (query,product_id,relevance): give the products file with --products")
                    : Judgments(path, ids, options));
                continue;
            }

            var (read, texts) = JudgmentReader.ReadWithTexts(path, options);
            judgments.Add(Report(read, path, "judgment"));
            products.AddRange(texts.Where(p => ids.Add(p.Id)));
        }

        return (products, judgments);
    }

    /// <summary>Loads the encoder of --model and --pooling, or of the fallbacks (an index's model) when they are not given.</summary>
    public static OnnxEncoder Encoder(ModelSettings settings, string? fallbackModel = null, Pooling? fallbackPooling = null)
    {
        var model = settings.Model ?? fallbackModel;
        return Consoles.Error.Status().Start($"loading model {Markup.Escape(model ?? BundledModels.DefaultKey)}", _ =>
            OnnxEncoder.Create(BundledModels.Resolve(model),
                new EncoderOptions { Pooling = settings.Pooling ?? fallbackPooling, BatchSize = settings.BatchSize }));
    }

    /// <summary>Fails unless <paramref name="path"/> can be a new output directory: absent, or an empty directory.</summary>
    public static void CheckNewDirectory(string option, string path)
    {
        if (File.Exists(path))
        {
            throw new UserError($"{option}: '{path}' is a file; give a directory");
        }

        if (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any())
        {
            throw new UserError($"{option}: '{path}' is not empty; give a new or empty directory");
        }
    }

    /// <summary>Fails unless <paramref name="path"/> can hold output files: absent, or a directory.</summary>
    public static void CheckOutputDirectory(string option, string path)
    {
        if (File.Exists(path))
        {
            throw new UserError($"{option}: '{path}' is a file; give a directory");
        }
    }

    /// <summary>Fails unless <paramref name="path"/> can be written as a file: not a directory, in a directory that exists.</summary>
    public static void CheckOutputFile(string option, string path)
    {
        if (Directory.Exists(path))
        {
            throw new UserError($"{option}: '{path}' is a directory; give a file name");
        }

        var parent = Path.GetDirectoryName(Path.GetFullPath(path));
        if (parent is not null && !Directory.Exists(parent))
        {
            throw new UserError($"{option}: directory '{parent}' does not exist");
        }
    }

    /// <summary>
    /// Loads a cross-encoder from DIR or LABEL=DIR (the label names it in reports; default: the model's name), or an
    /// ensemble from DIR+DIR.
    /// </summary>
    public static (string Label, IOwnedPairScorer Scorer) Reranker(string spec, int batchSize)
    {
        var equals = spec.IndexOf('=', StringComparison.Ordinal);
        var path = equals > 0 ? spec[(equals + 1)..] : spec;
        var scorer = Consoles.Error.Status().Start($"loading re-ranker {Markup.Escape(path)}", _ =>
            OnnxCrossEncoder.Open(path, options: new EncoderOptions { BatchSize = batchSize }));
        return (equals > 0 ? spec[..equals] : OnnxCrossEncoder.NameOf(scorer), scorer);
    }

    private static IReadOnlyList<T> Report<T>(LoadResult<T> result, string path, string what)
    {
        foreach (var warning in result.Warnings)
        {
            Consoles.Error.MarkupLineInterpolated($"[yellow]warning:[/] {warning}");
        }

        if (result.Skipped.Count > 0)
        {
            foreach (var skip in result.Skipped.Take(ShownSkips))
            {
                Consoles.Error.MarkupLineInterpolated($"[yellow]skipped:[/] {skip.Message}");
            }

            var more = result.Skipped.Count > ShownSkips ? $" ({result.Skipped.Count - ShownSkips} not shown)" : string.Empty;
            Consoles.Error.MarkupLineInterpolated(
                $"[yellow]{path}: skipped {result.Skipped.Count} bad {what} rows{more}; read {result.Items.Count}[/]");
        }

        if (result.Items.Count == 0)
        {
            throw new UserError($"{path}: no {what} rows to use");
        }

        return result.Items;
    }
}
