using System.Text.Json;
using SemanticMatch.Testing;

namespace SemanticMatch.Server.Tests;

/// <summary>
/// The live <c>/openapi/v1.json</c> as client generators read it: Redocly's recommended rules find nothing, and each
/// operation says what the server really answers (checked against the routes' real answers in the other tests).
/// </summary>
[Collection(ServiceCollection.Name)]
public sealed class OpenApiDocumentTests(ServiceFixture service)
{
    [Fact]
    public async Task RedoclysRecommendedRules_FindNoErrorsAndNoWarnings()
    {
        var (cli, missing) = Repository.Tool("clients", "node_modules", "@redocly", "cli", "bin", "cli.js");
        if (cli is null)
        {
            Assert.Skip(missing!);
        }

        var file = Path.Combine(Path.GetTempPath(), $"semmatch-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, await service.Server.Client.GetStringAsync("/openapi/v1.json"));
        try
        {
            var (_, output, errors) = await Repository.NodeAsync([cli, "lint", file, "--format=json", "--extends=recommended"],
                new Dictionary<string, string> { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" });
            var report = JsonDocument.Parse(output).RootElement;
            var problems = report.GetProperty("problems").EnumerateArray()
                .Select(p => $"{p.GetProperty("severity").GetString()} {p.GetProperty("ruleId").GetString()}: {p.GetProperty("message").GetString()}")
                .ToList();

            Assert.True(problems.Count == 0, string.Join('\n', problems) + errors);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task RecordsUpload_IsDescribed_AsAJsonArrayAndAsNdjson()
    {
        var upsert = (await DocumentAsync()).GetProperty("paths").GetProperty("/v1/collections/{name}/records").GetProperty("post");
        var content = upsert.GetProperty("requestBody").GetProperty("content");

        Assert.Equal("upsertRecords", upsert.GetProperty("operationId").GetString());
        foreach (var type in (string[])["application/json", "application/x-ndjson"])
        {
            var schema = content.GetProperty(type).GetProperty("schema");
            Assert.Equal("array", schema.GetProperty("type").GetString());
            Assert.Equal("#/components/schemas/Record", schema.GetProperty("items").GetProperty("$ref").GetString());
        }
    }

    [Fact]
    public async Task Statuses_AreTheOnesTheRoutesAnswer()
    {
        var paths = (await DocumentAsync()).GetProperty("paths");

        Assert.Equal(["200", "201"], SuccessCodes(paths.GetProperty("/v1/collections/{name}").GetProperty("put")));
        Assert.Equal(["204"], SuccessCodes(paths.GetProperty("/v1/collections/{name}").GetProperty("delete")));
        Assert.Equal(["204"], SuccessCodes(paths.GetProperty("/v1/collections/{name}/records/{id}").GetProperty("delete")));
        Assert.Equal(["204"], SuccessCodes(paths.GetProperty("/v1/collections/{name}/feedback").GetProperty("post")));
        var getRecord = paths.GetProperty("/v1/collections/{name}/records/{id}").GetProperty("get").GetProperty("responses");
        Assert.True(getRecord.GetProperty("200").GetProperty("content").GetProperty("application/json").TryGetProperty("schema", out _));
        Assert.True(getRecord.TryGetProperty("404", out _));
    }

    [Fact]
    public async Task EveryV1Operation_NeedsTheBearerKey_AndDescribesItsErrorsWithACode()
    {
        var document = await DocumentAsync();
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
        var problem = document.GetProperty("components").GetProperty("schemas").GetProperty("Problem");
        Assert.Contains("code", problem.GetProperty("required").EnumerateArray().Select(r => r.GetString()));

        var operations = 0;
        foreach (var path in document.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/v1/", StringComparison.Ordinal)))
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                operations++;
                var where = $"{operation.Name} {path.Name}";
                Assert.True(operation.Value.TryGetProperty("operationId", out _), $"{where} has no operationId");
                Assert.True(operation.Value.TryGetProperty("summary", out _), $"{where} has no summary");
                Assert.Equal("bearer", operation.Value.GetProperty("security")[0].EnumerateObject().Single().Name);
                var unauthorized = operation.Value.GetProperty("responses").GetProperty("401").GetProperty("content");
                var schema = unauthorized.EnumerateObject().Single().Value.GetProperty("schema").GetProperty("$ref").GetString();
                var shape = schema!.Split('/')[^1];
                Assert.Equal(path.Name.StartsWith("/v1/collections", StringComparison.Ordinal) ? "Problem" : shape, shape);
                Assert.Contains(shape, (string[])["Problem", "OpenAiError", "CohereError"]);
            }
        }

        Assert.True(operations >= 23, $"only {operations} /v1 operations are described");
    }

    [Fact]
    public async Task Numbers_AreNumbers_AndRecordValuesAreScalars()
    {
        var document = await DocumentAsync();
        var text = document.GetRawText();
        var record = document.GetProperty("components").GetProperty("schemas").GetProperty("Record");

        Assert.DoesNotContain("\"pattern\": \"^-?(?:0|[1-9]\\\\d*)$\"", text);
        Assert.DoesNotContain("[\"number\",\"string\"]", text.Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal(["id"], record.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["boolean", "null", "number", "string"],
            record.GetProperty("additionalProperties").GetProperty("type").EnumerateArray().Select(t => t.GetString()).Order(StringComparer.Ordinal));
    }

    private async Task<JsonElement> DocumentAsync() =>
        JsonDocument.Parse(await service.Server.Client.GetStringAsync("/openapi/v1.json")).RootElement.Clone();

    private static string[] SuccessCodes(JsonElement operation) =>
        operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).Where(c => c.StartsWith('2')).Order(StringComparer.Ordinal).ToArray();
}
