using System.Runtime.InteropServices;

namespace SemanticMatch.Engine.Evaluation;

/// <summary>One-line description of the machine a measurement ran on.</summary>
public static class MachineInfo
{
    /// <summary>CPU model, logical cores, OS and .NET runtime.</summary>
    public static string Describe()
    {
        var cpu = "unknown CPU";
        const string cpuInfo = "/proc/cpuinfo";
        if (File.Exists(cpuInfo))
        {
            var line = File.ReadLines(cpuInfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            cpu = line?.Split(':', 2)[1].Trim() ?? cpu;
        }

        return $"{cpu}, {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }
}
