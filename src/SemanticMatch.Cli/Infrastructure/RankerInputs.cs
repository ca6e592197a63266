using SemanticMatch.Core;
using SemanticMatch.CommandLine;
using SemanticMatch.Onnx.Encoding;
using SemanticMatch.Ranking;
using Spectre.Console;

namespace SemanticMatch.Cli.Infrastructure;

/// <summary>Loads a ranker directory for a command, with the cross-encoder it reads and warnings about model mismatches.</summary>
internal static class RankerInputs
{
    /// <summary>
    /// The ranker in <paramref name="directory"/>, and its cross-encoder: <paramref name="rerank"/> when given (warned
    /// about when it is not the one the ranker was trained with), else the one it records; null when it uses none.
    /// </summary>
    public static (LearnedRanker Ranker, IOwnedPairScorer? CrossEncoder) Open(string directory, string? rerank, int batchSize)
    {
        var ranker = Consoles.Error.Status().Start($"loading ranker {Markup.Escape(directory)}", _ => RankerDirectory.Open(directory));
        if (ranker.Manifest.CrossEncoder is not { } trainedWith)
        {
            return (ranker, null);
        }

        var crossEncoder = Inputs.Reranker(rerank ?? trainedWith.Model, batchSize).Scorer;
        if (crossEncoder.Identity != trainedWith.Identity)
        {
            Consoles.Error.MarkupLineInterpolated(
                $"[yellow]warning:[/] the ranker was trained with cross-encoder {trainedWith.Identity}; {crossEncoder.Identity} gives other scores, so its order may be off");
        }

        return (ranker, crossEncoder);
    }

    /// <summary>Warns when the encoder is not the bi-encoder the ranker was trained with.</summary>
    public static void WarnIfOtherEncoder(LearnedRanker ranker, string encoderIdentity)
    {
        if (ranker.Manifest.BiEncoder.Identity != encoderIdentity)
        {
            Consoles.Error.MarkupLineInterpolated(
                $"[yellow]warning:[/] the ranker was trained with bi-encoder {ranker.Manifest.BiEncoder.Identity}; this search uses {encoderIdentity}, whose cosines differ, so its order may be off");
        }
    }
}
