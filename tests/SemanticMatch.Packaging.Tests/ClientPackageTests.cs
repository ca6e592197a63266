using System.IO.Compression;
using System.Xml.Linq;

namespace SemanticMatch.Packaging.Tests;

/// <summary>SemanticMatch.Client packs alone: its assembly, the MIT licence, and only third-party dependencies (no engine, no native models).</summary>
[Collection(Packages.Name)]
public sealed class ClientPackageTests(PackagesFixture packages)
{
    [Fact]
    public void TheClientPackage_HoldsItsAssembly_UnderMit_DependingOnNoOtherSemanticMatchPackage()
    {
        using var package = ZipFile.OpenRead(packages.Package("SemanticMatch.Client"));
        var nuspec = XDocument.Load(package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        var dependencies = nuspec.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value).ToList();

        Assert.Contains(package.Entries, e => e.FullName == "lib/net10.0/SemanticMatch.Client.dll");
        Assert.Equal("MIT", nuspec.Descendants().Single(e => e.Name.LocalName == "license").Value);
        Assert.Equal(["Microsoft.Extensions.AI.Abstractions", "Polly.Core"], dependencies.Order(StringComparer.Ordinal));
    }
}
