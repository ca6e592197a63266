// What a .NET shop writes over the client Kiota generates from our OpenAPI document: create, upsert, search, similar,
// get, delete, drop. Prints what each call answered as one JSON object for GeneratedClientTests to check.
// Arguments: SERVER_URL API_KEY COLLECTION
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using SemanticMatch.Generated;
using SemanticMatch.Generated.Models;

var (url, key, name) = (args[0], args[1], args[2]);
using var http = new HttpClient();
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
var api = new SemanticMatchApi(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http) { BaseUrl = url });
var collection = api.V1.Collections[name];

var created = await collection.PutAsync(new CreateCollectionRequest { Model = "minilm", Fields = ["title"] });
var upserted = await collection.Records.PostAsync(
[
    Product("d1", "Cordless Drill 20V", 99),
    Product("d2", "Cordless Drill Kit with Battery", 149),
    Product("h1", "Garden Hose 50 ft", 25),
]);
var search = await collection.Search.PostAsync(new SearchRequest { Query = "cordless drill", Method = "bm25", Top = 2 });
var similar = await collection.Records["d1"].Similar.GetAsync(c => c.QueryParameters.Top = 1);
var record = await collection.Records["d1"].GetAsync();
await collection.Records["d1"].DeleteAsync();
var missing = await ProblemOf(() => collection.Records["d1"].GetAsync());
await collection.DeleteAsync();
var dropped = await ProblemOf(() => collection.GetAsync());

Console.WriteLine(JsonSerializer.Serialize(new
{
    created = created?.Name,
    upserted = upserted?.Upserted,
    search = search?.Hits?.Select(h => h.Id).ToList(),
    searchTitle = search?.Hits?[0].Record?.AdditionalData["title"]?.ToString(),
    similar = similar?.Hits?.Select(h => h.Id).ToList(),
    title = record?.AdditionalData["title"]?.ToString(),
    price = record?.AdditionalData["price"]?.ToString(),
    missing,
    dropped,
}));

static Record Product(string id, string title, double price) =>
    new() { Id = id, AdditionalData = new Dictionary<string, object> { ["title"] = title, ["price"] = price } };

static async Task<object?> ProblemOf(Func<Task> call)
{
    try
    {
        await call();
        return null;
    }
    catch (Problem problem)
    {
        return new { status = problem.ResponseStatusCode, problem.Code, problem.Message };
    }
}
