using System.Diagnostics.Metrics;

namespace SemanticMatch.Onnx.Encoding;

/// <summary>
/// The encoders' instruments (meter <see cref="MeterName"/>): texts per encoder call and call time, tagged with the
/// model. Hosts export the meter if they want it (the service does, at /metrics).
/// </summary>
public static class EncoderMetrics
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "SemanticMatch.Encoders";

    private static readonly Meter s_meter = new(MeterName);
    private static readonly Histogram<int> s_batchSize = s_meter.CreateHistogram<int>("semanticmatch.encoder.batch.size", "{text}", "Texts per encoder call");
    private static readonly Histogram<double> s_duration = s_meter.CreateHistogram<double>("semanticmatch.encoder.duration", "s", "Time of an encoder call");

    internal static void Record(string model, int texts, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("model", model);
        s_batchSize.Record(texts, tag);
        s_duration.Record(elapsed.TotalSeconds, tag);
    }
}
