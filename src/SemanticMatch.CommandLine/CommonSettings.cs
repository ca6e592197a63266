using System.ComponentModel;
using SemanticMatch.Core.Catalogue;
using SemanticMatch.Core.Text;
using SemanticMatch.Engine;
using SemanticMatch.Onnx.Models;
using Spectre.Console;
using Spectre.Console.Cli;
using SemanticMatch.Search;

namespace SemanticMatch.CommandLine;

/// <summary>Options shared by commands that load a model.</summary>
public class ModelSettings : CommandSettings
{
    /// <summary>Model key or directory; null for the default (or an index's model).</summary>
    [CommandOption("-m|--model <MODEL>")]
    [Description("Encoder: 'minilm' (all-MiniLM-L6-v2, the default), 'arctic' (snowflake-arctic-embed-xs), or the path of a model directory (model.onnx, vocab.txt, semanticmatch.json).")]
    public string? Model { get; init; }

    /// <summary>Pooling override; null keeps the model's own.</summary>
    [CommandOption("--pooling <POOLING>")]
    [Description("Override the model's sentence pooling: mean, cls or max.")]
    [TypeConverter(typeof(KebabCaseEnumConverter<Pooling>))]
    public Pooling? Pooling { get; init; }

    /// <summary>Texts per encoder forward pass.</summary>
    [CommandOption("--batch-size <N>")]
    [Description("Texts per encoder forward pass (texts are sorted by length first).")]
    [DefaultValue(32)]
    public int BatchSize { get; init; } = 32;

    /// <inheritdoc/>
    public override ValidationResult Validate() =>
        BatchSize < 1 ? ValidationResult.Error("--batch-size must be at least 1") : ValidationResult.Success();
}

/// <summary>Options shared by commands that read a catalogue.</summary>
public class CatalogueSettings : ModelSettings
{
    /// <summary>Comma-separated product fields to embed and keyword-index.</summary>
    [CommandOption("--fields <FIELDS>")]
    [Description("Comma-separated product fields that are embedded and keyword-indexed, in order (e.g. title,description).")]
    [DefaultValue("title")]
    public string Fields { get; init; } = ProductColumns.Title;

    /// <summary>Turns off measurement standardisation.</summary>
    [CommandOption("--no-units")]
    [Description("Do not standardise measurements (\"1/2 in.\" -> \"0.5 inch\", \"cu. ft.\" -> \"cubic feet\", \"2x4\" -> \"2 x 4\").")]
    public bool NoUnits { get; init; }

    /// <summary>Turns off HTML stripping.</summary>
    [CommandOption("--no-html")]
    [Description("Do not strip HTML tags and entities from product text.")]
    public bool NoHtml { get; init; }

    /// <summary>Turns off NFKC normalisation.</summary>
    [CommandOption("--no-unicode")]
    [Description("Do not apply Unicode NFKC normalisation and control-character removal.")]
    public bool NoUnicode { get; init; }

    /// <summary>Skips malformed rows (each reported) instead of stopping.</summary>
    [CommandOption("--skip-bad-rows")]
    [Description("Skip malformed input rows (reporting each and the count) instead of stopping at the first.")]
    public bool SkipBadRows { get; init; }

    /// <summary>The product text settings these options describe.</summary>
    public ProductText ToProductText()
    {
        var fields = Fields.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(f => f.ToLowerInvariant())
            .ToList();
        if (fields.Count == 0)
        {
            throw new UserError("--fields needs at least one field name");
        }

        return new ProductText(fields, new TextNormalizationOptions { Units = !NoUnits, StripHtml = !NoHtml, Unicode = !NoUnicode });
    }

    /// <summary>The reader settings these options describe.</summary>
    public ReadOptions ToReadOptions() => new() { SkipBadRows = SkipBadRows };
}
