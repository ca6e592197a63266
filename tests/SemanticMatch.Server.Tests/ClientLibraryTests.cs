using System.Net;
using Microsoft.Extensions.AI;
using SemanticMatch.Client;
using ClientRecord = SemanticMatch.Client.Record;

namespace SemanticMatch.Server.Tests;

/// <summary>SemanticMatch.Client against a real server: every call of a collection's life, streamed NDJSON, errors with codes, the embedding generator.</summary>
[Collection(ServiceCollection.Name)]
public sealed class ClientLibraryTests(ServiceFixture service)
{
    private SemanticMatchClient Client(string key) => new(new SemanticMatchClientOptions { Endpoint = new Uri(service.Server.Url), ApiKey = key, UploadBatchSize = 2 });

    [Fact]
    public async Task ACollectionsLife_ThroughTheClient()
    {
        using var admin = Client(service.Admin);
        var name = "client-" + Guid.NewGuid().ToString("N")[..8];

        var created = await admin.CreateCollectionAsync(name, new CollectionSettings(Model: "minilm", Fields: ["title"], PrivateFields: ["cost"]));
        var upserted = await admin.UpsertAsync(name,
        [
            Product("d1", "Cordless Drill 20V", 99, cost: 41), Product("d2", "Cordless Drill Kit with Battery", 149, cost: 70),
            Product("h1", "Garden Hose 50 ft", 25, cost: 9),
        ]);
        var streamed = await admin.UpsertAsync(name, Stream(Product("f1", "Ceiling Fan with Light", 120, cost: 60), Product("f2", "Bath Towel Set", 30, cost: 12)));
        var search = await admin.SearchAsync(name, new SearchRequest("cordless drill")
        {
            Method = "bm25", Top = 5, Filters = [new SearchFilter("price", Max: 120)], Facets = ["price"], Highlight = true, Session = "s1",
        });
        var similar = await admin.SimilarAsync(name, "d1", top: 1);
        var record = await admin.GetRecordAsync(name, "d1");
        var recorded = await admin.RecordEventsAsync(name, [new SearchEvent(search.QueryId, "click", "d1", 1, "s1")]);
        var deleted = await admin.DeleteRecordAsync(name, "d1");
        var gone = await admin.GetRecordAsync(name, "d1");
        var deletedAgain = await admin.DeleteRecordAsync(name, "d1");
        var listed = await admin.ListCollectionsAsync();
        var dropped = await admin.DeleteCollectionAsync(name);
        var missing = await admin.GetCollectionAsync(name);

        Assert.Equal(name, created.Name);
        Assert.Equal(["cost"], created.PrivateFields);
        Assert.Equal(3, upserted);
        Assert.Equal(2, streamed);
        Assert.Equal(["d1"], search.Hits.Select(h => h.Id));
        Assert.Equal(1, search.Total);
        Assert.Equal(99.0, search.Facets!["price"].Min);
        Assert.Equal("<em>Cordless</em> <em>Drill</em> 20V", search.Hits[0].Highlights!["title"]);
        Assert.Null(search.Hits[0].Record["cost"]);
        Assert.Equal(["d2"], similar.Select(h => h.Id));
        Assert.Equal("Cordless Drill 20V", record!["title"]);
        Assert.Equal(99.0, record["price"]);
        Assert.False(record.Fields.ContainsKey("cost"));
        Assert.Equal(1, recorded);
        Assert.True(deleted);
        Assert.Null(gone);
        Assert.False(deletedAgain);
        Assert.Contains(listed, c => c.Name == name && c.Count == 4);
        Assert.True(dropped);
        Assert.Null(missing);
    }

    [Fact]
    public async Task Refusals_CarryTheServersCodeAndReason()
    {
        using var reader = Client(service.Reader);

        var forbidden = await Assert.ThrowsAsync<SemanticMatchException>(() => reader.CreateCollectionAsync("client-forbidden"));
        var notFound = await Assert.ThrowsAsync<SemanticMatchException>(() => reader.SearchAsync("client-nope", "drill"));
        var overLimit = await Assert.ThrowsAsync<SemanticMatchException>(() => reader.SearchAsync("demo", new SearchRequest("drill") { Top = 100_000 }));
        var unknownModel = await Assert.ThrowsAsync<SemanticMatchException>(() => reader.RerankAsync("drill", ["a"], model: "no-such-model"));

        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), (forbidden.Status, forbidden.Code));
        Assert.Equal((HttpStatusCode.NotFound, "collection_not_found"), (notFound.Status, notFound.Code));
        Assert.Contains("client-nope", notFound.Message, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "over_limit"), (overLimit.Status, overLimit.Code));
        Assert.Contains("top", overLimit.Message, StringComparison.Ordinal);
        Assert.Contains("'no-such-model' is not a model served here", unknownModel.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MatchEmbedRerank_AndTheEmbeddingGenerator_AreTheServersModels()
    {
        using var reader = Client(service.Reader);
        string[] texts = ["Bath Towel Set", "Cordless Hammer Drill", "Garden Hose"];

        var scores = await reader.MatchAsync("cordless drill", texts, "minilm");
        var reranked = await reader.RerankAsync("cordless drill", texts, "minilm", top: 2);
        var documents = await reader.EmbedAsync(["cordless drill"], "arctic-int8");
        var queries = await reader.EmbedAsync(["cordless drill"], "arctic-int8", asQueries: true);
        using var generator = reader.AsEmbeddingGenerator("minilm");
        var generated = await generator.GenerateAsync(["cordless drill", "garden hose"]);
        var direct = await reader.EmbedAsync(["cordless drill", "garden hose"], "minilm");

        Assert.Equal(1, Array.IndexOf(scores.ToArray(), scores.Max()));
        Assert.Equal([1, Array.IndexOf(scores.ToArray(), scores.OrderDescending().ElementAt(1))], reranked.Select(r => r.Index));
        Assert.NotEqual(documents[0], queries[0]); // arctic's query prefix
        Assert.Equal(2, generated.Count);
        Assert.Equal(direct[1], generated[1].Vector.ToArray());
        Assert.Equal("minilm", generated[0].ModelId);
        Assert.Equal("semanticmatch", generator.GetService<EmbeddingGeneratorMetadata>()!.ProviderName);
    }

    private static ClientRecord Product(string id, string title, double price, double cost)
    {
        var record = new ClientRecord(id);
        (record["title"], record["price"], record["cost"]) = (title, price, cost);
        return record;
    }

    private static async IAsyncEnumerable<ClientRecord> Stream(params ClientRecord[] records)
    {
        foreach (var record in records)
        {
            await Task.Yield();
            yield return record;
        }
    }
}
