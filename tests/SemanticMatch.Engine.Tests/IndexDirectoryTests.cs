using SemanticMatch.Core.Catalogue;
using SemanticMatch.Engine.Indexing;

namespace SemanticMatch.Engine.Tests;

/// <summary>Writing an index directory never loses the user's files or the previous index; opening one checks its parts.</summary>
public sealed class IndexDirectoryTests : IDisposable
{
    private static readonly Product[] s_old = [new("o1", "Cordless Drill"), new("o2", "Garden Hose")];
    private static readonly Product[] s_new = [new("n1", "Kitchen Faucet"), new("n2", "Bathroom Faucet"), new("n3", "Hammer")];

    private readonly string _root = Path.Combine(Path.GetTempPath(), "semmatch-indexdir-" + Guid.NewGuid().ToString("N"));
    private readonly HashingEncoder _encoder = new();

    public IndexDirectoryTests() => Directory.CreateDirectory(_root);

    private string Target => Path.Combine(_root, "idx");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Build_FolderWithAForeignManifest_IsRefusedAndUntouched()
    {
        // The reported data loss: a web project's manifest.json made the folder look like an index.
        Directory.CreateDirectory(Path.Combine(Target, "src"));
        File.WriteAllText(Path.Combine(Target, "manifest.json"), "{\"name\":\"x\"}");
        File.WriteAllText(Path.Combine(Target, "src", "app.js"), "x");

        var error = Assert.Throws<IndexMismatchException>(() => Build(s_new));

        Assert.Contains("holds 'src', which is not part of a SemanticMatch index; nothing was changed", error.Message);
        Assert.Equal("x", File.ReadAllText(Path.Combine(Target, "src", "app.js")));
        Assert.Equal("{\"name\":\"x\"}", File.ReadAllText(Path.Combine(Target, "manifest.json")));
    }

    [Fact]
    public void Build_FolderWithOnlyAForeignManifest_IsRefusedAndUntouched()
    {
        Directory.CreateDirectory(Target);
        File.WriteAllText(Path.Combine(Target, "manifest.json"), "{\"name\":\"x\"}");

        var error = Assert.Throws<IndexMismatchException>(() => Build(s_new));

        Assert.Contains("holds a manifest.json that is not a SemanticMatch index's", error.Message);
        Assert.Equal("{\"name\":\"x\"}", File.ReadAllText(Path.Combine(Target, "manifest.json")));
    }

    [Fact]
    public void CheckTarget_AFile_IsRefused()
    {
        File.WriteAllText(Target, "x");

        var error = Assert.Throws<IndexMismatchException>(() => CatalogueIndex.CheckTarget(Target));

        Assert.Contains("is a file, not a directory", error.Message);
    }

    [Fact]
    public void Rebuild_ReplacesTheOldIndex_AndLeavesNoStagingFolders()
    {
        Build(s_old).Dispose();

        using var rebuilt = Build(s_new);

        Assert.Equal(["n1", "n2", "n3"], rebuilt.Products.Keys.Order());
        Assert.Equal(["idx"], Directory.EnumerateFileSystemEntries(_root).Select(Path.GetFileName));
    }

    [Fact]
    public void Rebuild_FailingWhileWriting_KeepsTheOldIndex()
    {
        Build(s_old).Dispose();

        // A vector of the wrong length fails inside the write, after the staging folder exists.
        var options = new CatalogueIndexOptions { ModelSource = "test-model" };
        var embeddings = CatalogueIndex.Embed(s_new, _encoder, options.Text);
        embeddings[1] = new float[3];
        Assert.ThrowsAny<Exception>(() => CatalogueIndex.Build(s_new, embeddings, _encoder, options, Target));

        using var index = CatalogueIndex.Open(Target, _encoder);
        Assert.Equal(["o1", "o2"], index.Products.Keys.Order());
        Assert.Equal(["idx"], Directory.EnumerateFileSystemEntries(_root).Select(Path.GetFileName));
    }

    [Fact]
    public void Open_AfterACrashBetweenTheTwoRenames_RestoresTheOldIndex()
    {
        Build(s_old).Dispose();
        Directory.Move(Target, Path.Combine(_root, ".idx.old-0123"));

        using var index = CatalogueIndex.Open(Target, _encoder);

        Assert.Equal(["o1", "o2"], index.Products.Keys.Order());
        Assert.False(Directory.Exists(Path.Combine(_root, ".idx.old-0123")));
    }

    [Fact]
    public void Build_DeletesStagingFoldersOfDeadProcesses_AndKeepsOthers()
    {
        var dead = Path.Combine(_root, ".idx.staging-2147483647-abc");
        var live = Path.Combine(_root, $".idx.staging-{Environment.ProcessId}-def");
        var unrelated = Path.Combine(_root, ".other.staging-2147483647-abc");
        foreach (var folder in new[] { dead, live, unrelated })
        {
            Directory.CreateDirectory(folder);
        }

        Build(s_new).Dispose();

        Assert.False(Directory.Exists(dead));
        Assert.True(Directory.Exists(live));
        Assert.True(Directory.Exists(unrelated));
    }

    [Fact]
    public void Open_TruncatedProductsFile_NamesTheDamagedFile()
    {
        Build(s_new).Dispose();
        var products = Path.Combine(Target, "products.jsonl");
        var lines = File.ReadAllLines(products);
        File.WriteAllLines(products, lines[..^1]);

        var error = Assert.Throws<IndexMismatchException>(() => CatalogueIndex.Open(Target, _encoder));

        Assert.Equal($"index file {products} is damaged: holds 2 products, the manifest says 3; rebuild the index with 'semmatch index'", error.Message);
    }

    [Fact]
    public void Open_ProductsFileCutMidLine_NamesTheDamagedFile()
    {
        Build(s_new).Dispose();
        var products = Path.Combine(Target, "products.jsonl");
        var text = File.ReadAllText(products);
        File.WriteAllText(products, text[..(text.Length - 10)]);

        var error = Assert.Throws<IndexMismatchException>(() => CatalogueIndex.Open(Target, _encoder));

        Assert.StartsWith($"index file {products} is damaged:", error.Message);
    }

    [Fact]
    public void Open_ProductsReplacedByOthers_NamesTheProductWithoutAVector()
    {
        Build(s_new).Dispose();
        var products = Path.Combine(Target, "products.jsonl");
        File.WriteAllText(products, File.ReadAllText(products).Replace("\"n2\"", "\"zz\"", StringComparison.Ordinal));

        var error = Assert.Throws<IndexMismatchException>(() => CatalogueIndex.Open(Target, _encoder));

        Assert.Contains("has no vector for product 'zz'", error.Message);
    }

    private CatalogueIndex Build(IReadOnlyList<Product> products)
    {
        var options = new CatalogueIndexOptions { ModelSource = "test-model" };
        return CatalogueIndex.Build(products, CatalogueIndex.Embed(products, _encoder, options.Text), _encoder, options, Target);
    }
}
