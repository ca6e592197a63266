using System.Net.Http;
using System.Text.RegularExpressions;
using SemanticMatch.Testing;

namespace SemanticMatch.Server.Tests;

/// <summary>
/// The README's library quick start, exactly as written there, compiled as a console app against the built
/// SemanticMatch.Client and run against a real server: what a .NET shop copies must build and work.
/// </summary>
[Collection(ServiceCollection.Name)]
public sealed partial class ReadmeQuickStartTests(ServiceFixture service)
{
    [Fact]
    public async Task TheReadmesLibraryQuickStart_BuildsAndFindsTheDrill()
    {
        var root = Repository.Root?.FullName ?? throw new InvalidOperationException("the repository root was not found");
        var blocks = CSharpBlock().Matches(await File.ReadAllTextAsync(Path.Combine(root, "README.md")));
        var program = Assert.Single(blocks).Groups["code"].Value;

        var work = Directory.CreateTempSubdirectory("semmatch-quickstart-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(work.FullName, "Program.cs"), program);
            await File.WriteAllTextAsync(Path.Combine(work.FullName, "QuickStart.csproj"), Project());
            await SucceedsAsync(work.FullName, null, "dotnet", "build", "-c", "Release", "-o", Path.Combine(work.FullName, "out"));
            var output = await SucceedsAsync(work.FullName, new Dictionary<string, string>
            {
                ["SEMANTICMATCH_URL"] = service.Server.Url,
                ["SEMANTICMATCH_KEY"] = service.Admin,
            }, "dotnet", Path.Combine(work.FullName, "out", "QuickStart.dll"));

            var lines = output.ReplaceLineEndings("\n").Trim().Split('\n');
            Assert.Equal("searched 'cordless drill'", lines[0]);
            Assert.Equal("1 d1 20V Cordless Drill/Driver Kit", lines[1]);
            Assert.Equal("384 dimensions", lines[^1]);
        }
        finally
        {
            work.Delete(recursive: true);
            await service.Server.SendAsync(HttpMethod.Delete, "/v1/collections/tools", service.Admin);
        }
    }

    /// <summary>A console project referencing the client assembly this test project was built with, and its two dependencies.</summary>
    private static string Project()
    {
        var references = string.Concat(new[] { "SemanticMatch.Client", "Microsoft.Extensions.AI.Abstractions", "Polly.Core" }.Select(name =>
            $"""<Reference Include="{name}"><HintPath>{Path.Combine(AppContext.BaseDirectory, name + ".dll")}</HintPath></Reference>"""));
        return $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>{references}</ItemGroup>
            </Project>
            """;
    }

    private static async Task<string> SucceedsAsync(string directory, IReadOnlyDictionary<string, string>? environment, string program, params string[] arguments)
    {
        var (exit, output, errors) = await Repository.RunAsync(program, arguments, directory, environment, TimeSpan.FromMinutes(4));
        Assert.True(exit == 0, $"{program} {string.Join(' ', arguments)} exited {exit}:\n{output}\n{errors}");
        return output;
    }

    [GeneratedRegex("```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
