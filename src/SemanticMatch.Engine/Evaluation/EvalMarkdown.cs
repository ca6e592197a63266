using System.Globalization;
using System.Text;

namespace SemanticMatch.Engine.Evaluation;

/// <summary>Renders an <see cref="EvalReport"/> as a markdown table with its provenance.</summary>
public static class EvalMarkdown
{
    /// <summary>The markdown text.</summary>
    public static string Render(EvalReport report)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"- products: `{report.Products}` ({report.ProductCount})");
        text.AppendLine(CultureInfo.InvariantCulture, $"- judgments: `{report.Judgments}` ({report.QueryCount} queries, {report.PairCount} pairs)");
        text.AppendLine(CultureInfo.InvariantCulture, $"- relevant when relevance >= {report.RelevantThreshold}; NDCG gain 2^(rel - {report.ScaleMinimum}) - 1");
        text.AppendLine(CultureInfo.InvariantCulture, $"- date: {report.Date:yyyy-MM-dd HH:mm} UTC; machine: {report.Machine}");
        if (report.Command is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- command: `{report.Command}`");
        }

        text.AppendLine();
        text.AppendLine("| method | NDCG@10 (re-rank) | Recall@10 | Recall@100 | MRR@10 | ROC-AUC | accuracy | F1 | RMSE | ECE | products/s | p50 ms | p95 ms |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var m in report.Methods)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {m.Method} | {F(m.Ndcg10)} | {F(m.Recall10)} | {F(m.Recall100)} | {F(m.Mrr10)} | {F(m.RocAuc)} | {F(m.Accuracy)} | {F(m.F1)} | {F(m.Rmse)} | {F(m.CalibrationError)} | {m.ProductsPerSecond:F0} | {m.LatencyP50Ms:F1} | {m.LatencyP95Ms:F1} |");
        }

        var first = report.Methods.Count > 0 ? report.Methods[0] : null;
        if (first is not null)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture,
                $"NDCG over {first.NdcgQueries} queries ({first.NdcgSkipped} skipped: all judged products equally relevant); Recall/MRR over {first.RetrievalQueries} queries with at least one relevant product. Accuracy/F1 at the accuracy-maximising threshold on this same set (optimistic).");
        }

        return text.ToString();
    }

    private static string F(double? value) => value is null ? "-" : value.Value.ToString("F4", CultureInfo.InvariantCulture);
}
