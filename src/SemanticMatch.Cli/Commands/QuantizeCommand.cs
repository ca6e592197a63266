using System.ComponentModel;
using SemanticMatch.CommandLine;
using SemanticMatch.Onnx.Models;
using SemanticMatch.Onnx.Quantization;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SemanticMatch.Cli.Commands;

/// <summary><c>semmatch quantize</c>: writes an int8 copy of a model directory.</summary>
internal sealed class QuantizeCommand : Command<QuantizeCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("-m|--model <MODEL>")]
        [Description("Model to quantize: 'minilm', 'arctic' or a model directory (bi- or cross-encoder).")]
        public string? Model { get; init; }

        [CommandOption("-o|--out <DIR>")]
        [Description("New model directory (must not exist or be empty). Bundled models can also be used directly as 'minilm-int8' / 'arctic-int8'.")]
        public string Out { get; init; } = string.Empty;

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Out) ? ValidationResult.Error("--out is required") : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Inputs.CheckNewDirectory("--out", settings.Out);
        var source = BundledModels.Resolve(settings.Model);
        var result = Consoles.Error.Status().Start($"quantizing {Markup.Escape(source.Config.Name)}", _ => Int8Quantizer.Quantize(source, settings.Out));
        Consoles.Out.MarkupLineInterpolated(
            $"wrote [blue]{result.Path}[/]: {result.RewrittenMatMuls} weight MatMuls in int8, model.onnx {result.SourceBytes / 1e6:F0} MB -> {result.QuantizedBytes / 1e6:F0} MB");
        return 0;
    }
}
