using SemanticMatch.Core.Catalogue;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Onnx.Models;
using Spectre.Console;

namespace SemanticMatch.Cli.Infrastructure;

/// <summary>Loads what commands need, reporting skipped rows and slow steps on standard error.</summary>
internal static class Inputs
{
    private const int ShownSkips = 10;

    public static IReadOnlyList<Product> Products(string path, ReadOptions options) =>
        Report(ProductReader.Read(path, options), path, "product");

    public static IReadOnlyList<Judgment> Judgments(string path, IReadOnlySet<string> productIds, ReadOptions options) =>
        Report(JudgmentReader.Read(path, productIds, options), path, "judgment");

    public static OnnxEncoder Encoder(ModelSettings settings, string? fallbackModel = null)
    {
        var model = settings.Model ?? fallbackModel;
        return Consoles.Error.Status().Start($"loading model {Markup.Escape(model ?? BundledModels.DefaultKey)}", _ =>
            OnnxEncoder.Create(BundledModels.Resolve(model), new EncoderOptions { Pooling = settings.Pooling, BatchSize = settings.BatchSize }));
    }

    /// <summary>Loads a cross-encoder from DIR or LABEL=DIR (the label names it in reports; default: the model's name).</summary>
    public static (string Label, OnnxCrossEncoder Scorer) Reranker(string spec, int batchSize)
    {
        var equals = spec.IndexOf('=', StringComparison.Ordinal);
        var path = equals > 0 ? spec[(equals + 1)..] : spec;
        var scorer = Consoles.Error.Status().Start($"loading re-ranker {Markup.Escape(path)}", _ =>
            OnnxCrossEncoder.Create(BundledModels.Resolve(path), new EncoderOptions { BatchSize = batchSize }));
        return (equals > 0 ? spec[..equals] : scorer.Model.Config.Name, scorer);
    }

    private static IReadOnlyList<T> Report<T>(LoadResult<T> result, string path, string what)
    {
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
