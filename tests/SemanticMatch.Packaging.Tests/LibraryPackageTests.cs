namespace SemanticMatch.Packaging.Tests;

/// <summary>A .NET application that references the SemanticMatch.Onnx package gets the encoder and the bundled models.</summary>
[Collection(Packages.Name)]
public sealed class LibraryPackageTests(PackagesFixture packages)
{
    private const string Program = """
        using SemanticMatch.Core;
        using SemanticMatch.Onnx.Encoding;
        using SemanticMatch.Onnx.Models;

        using var encoder = OnnxEncoder.Create(BundledModels.Resolve("minilm"));
        var v = encoder.Encode(["cordless drill", "20V lithium-ion drill/driver kit", "50 ft. garden hose"], TextRole.Document);
        Console.WriteLine(FormattableString.Invariant($"{Dot(v[0], v[1])} {Dot(v[0], v[2])}"));

        static double Dot(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();
        """;

    [Fact]
    public void A_consumer_project_restores_the_packages_and_encodes_with_the_bundled_model()
    {
        var project = Path.Combine(packages.Root, "consumer");
        Directory.CreateDirectory(project);
        var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        // Our packages restore into a private folder (a stale copy of the same version in the global cache is never used);
        // third-party packages come from the global cache as a fallback folder, or from the registry.
        File.WriteAllText(Path.Combine(project, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <RestorePackagesPath>{Path.Combine(project, "restored")}</RestorePackagesPath>
                <RestoreAdditionalProjectFallbackFolders>{globalPackages}</RestoreAdditionalProjectFallbackFolders>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="SemanticMatch.Onnx" Version="{PackagesFixture.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "nuget.config"), $"""
            <configuration>
              <packageSources>
                <add key="semanticmatch" value="{packages.Folder}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(project, "Program.cs"), Program);

        var run = PackagesFixture.Run("dotnet", project,
            new Dictionary<string, string> { ["SEMANTICMATCH_MODELS"] = Path.Combine(packages.Root, "consumer-models") },
            "run", "-c", "Release");
        Assert.True(run.ExitCode == 0, run.ToString());
        var similarities = run.Stdout.Trim().Split('\n')[^1].Trim().Split(' ').Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(similarities[0] > similarities[1] + 0.2, run.ToString());
    }
}
