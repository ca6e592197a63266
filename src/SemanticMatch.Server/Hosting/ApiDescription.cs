using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using SemanticMatch.Server.Api;

namespace SemanticMatch.Server.Hosting;

/// <summary>
/// What <c>/openapi/v1.json</c> says beyond what the routes' types give: the bearer scheme on every keyed route, the
/// error answers each route really gives (in the shape its clients read), tag descriptions, the licence, and schemas for
/// the values System.Text.Json cannot describe (a record's free-form fields, filter values, OpenAI's <c>input</c>).
/// Nullable request fields are optional, so generated clients do not demand them.
/// </summary>
internal static class ApiDescription
{
    private const string Bearer = "bearer";

    private static readonly (string Name, string Description)[] s_tags =
    [
        ("Collections", "Create, describe and drop collections; their synonyms and model generations."),
        ("Records", "Insert, replace, read and delete a collection's records."),
        ("Search", "Search a collection, find similar records, suggest completions."),
        ("Feedback", "What shoppers did with the hits (events), and the judgments estimated from it."),
        ("Models", "Score and embed texts with a served model."),
        ("OpenAI-compatible", "OpenAI's embeddings and models API, for OpenAI clients and frameworks."),
        ("Rerank-compatible", "Cohere's (v1, v2), Jina's and text-embeddings-inference's rerank APIs."),
    ];

    public static void Configure(OpenApiOptions options)
    {
        options.CreateSchemaReferenceId = type => type.Type == typeof(JsonElement) ? null : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
        options.AddDocumentTransformer((document, _, _) =>
        {
            Describe(document);
            return Task.CompletedTask;
        });
        options.AddOperationTransformer(async (operation, context, cancellationToken) =>
        {
            await DescribeArrayBodyAsync(operation, context, cancellationToken);
            DescribeErrors(operation, context);
        });
        options.AddSchemaTransformer((schema, context, _) =>
        {
            DescribeValues(schema, context.JsonTypeInfo.Type);
            return Task.CompletedTask;
        });
    }

    private static void Describe(OpenApiDocument document)
    {
        document.Info = new OpenApiInfo
        {
            Title = "SemanticMatch",
            Version = "1.0.0",
            Description = "Semantic search and matching: collections searched by BM25, embeddings or both, and OpenAI/Cohere-compatible model routes. "
                + "Errors are ProblemDetails with a stable `code` (see docs/api.md); OpenAI and rerank routes answer their clients' error shapes.",
            License = new OpenApiLicense { Name = "MIT", Identifier = "MIT" },
        };
        foreach (var server in document.Servers ?? [])
        {
            server.Url = server.Url?.TrimEnd('/');
        }

        document.Tags = new HashSet<OpenApiTag>(s_tags.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            [Bearer] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key from `semmatch keys add` (none needed while the data directory has no keys).",
            },
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        foreach (var (name, schema) in ErrorSchemas())
        {
            document.Components.Schemas[name] = schema;
        }
    }

    /// <summary>
    /// A body the handler reads itself (to name the bad element, or to stream NDJSON) is described as the array of items
    /// it reads, in every content type the route accepts.
    /// </summary>
    private static async Task DescribeArrayBodyAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<ArrayBodyMetadata>().LastOrDefault() is not { } body
            || operation.RequestBody?.Content is not { } content)
        {
            return;
        }

        var (id, document) = (body.Items.Name, context.Document!);
        if (document.Components?.Schemas?.ContainsKey(id) != true)
        {
            document.AddComponent(id, await context.GetOrCreateSchemaAsync(body.Items, cancellationToken: cancellationToken));
        }

        foreach (var media in content.Values)
        {
            media.Schema = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchemaReference(id, document) };
        }
    }

    /// <summary>Adds the security requirement and the 4xx/5xx answers the route gives.</summary>
    private static void DescribeErrors(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var shape = metadata.OfType<ErrorShapeMetadata>().LastOrDefault()?.Shape;
        var schema = shape switch
        {
            ErrorShape.OpenAi => "OpenAiError",
            ErrorShape.Cohere => "CohereError",
            ErrorShape.Tei => "TeiError",
            _ => "Problem",
        };
        var path = context.Description.RelativePath ?? string.Empty;
        var hasBody = context.Description.ParameterDescriptions.Any(p => p.Source.Id is "Body")
            || operation.RequestBody is not null;
        var statuses = new List<(int Status, string Why)>
        {
            (StatusCodes.Status400BadRequest, "The request is malformed: the reason names what is wrong and where."),
        };
        if (metadata.OfType<RequiredScope>().Any())
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, context.Document)] = [] }];
            statuses.Add((StatusCodes.Status401Unauthorized, "No key, or a key that is not known."));
            statuses.Add((StatusCodes.Status403Forbidden, "The key lacks the scope this route needs."));
        }

        if (path.Contains('{', StringComparison.Ordinal))
        {
            statuses.Add((StatusCodes.Status404NotFound, "The collection, record or model named in the path does not exist."));
        }

        if (metadata.OfType<ConflictMetadata>().Any())
        {
            statuses.Add((StatusCodes.Status409Conflict, "The collection's state does not allow it (other settings, a build under way, no previous generation)."));
        }

        if (hasBody)
        {
            statuses.Add((StatusCodes.Status413PayloadTooLarge, "The body is larger than the server accepts."));
        }

        if (hasBody || context.Description.ParameterDescriptions.Any(p => p.Source.Id is "Query"))
        {
            statuses.Add((StatusCodes.Status422UnprocessableEntity, "A value is out of its range (the reason names the field and the limit)."));
        }

        statuses.Add((StatusCodes.Status429TooManyRequests, "Over the per-key rate limit; retry after `Retry-After` seconds."));
        statuses.Add((StatusCodes.Status503ServiceUnavailable, "Overloaded or the store is unavailable; retry after `Retry-After` seconds."));
        if (metadata.OfType<WritesMetadata>().Any())
        {
            statuses.Add((StatusCodes.Status507InsufficientStorage, "The disk refused the write; nothing of it was kept."));
        }

        operation.Responses ??= new OpenApiResponses();
        foreach (var (status, why) in statuses)
        {
            var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!operation.Responses.ContainsKey(key))
            {
                operation.Responses[key] = new OpenApiResponse
                {
                    Description = why,
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        [shape is null ? "application/problem+json" : "application/json"] = new() { Schema = new OpenApiSchemaReference(schema, context.Document) },
                    },
                };
            }
        }
    }

    /// <summary>Schemas for what the types alone cannot say.</summary>
    private static void DescribeValues(OpenApiSchema schema, Type type)
    {
        if (type == typeof(Collections.Record))
        {
            schema.Type = JsonSchemaType.Object;
            schema.Description = "A record: its `id` (a string; a number is taken as its text) and its fields, each a string, number, boolean or null.";
            schema.Properties = new Dictionary<string, IOpenApiSchema> { ["id"] = new OpenApiSchema { Type = JsonSchemaType.String } };
            schema.Required = new HashSet<string> { "id" };
            schema.AdditionalProperties = Scalar();
            return;
        }

        if (type == typeof(SearchFilter))
        {
            Replace(schema, "equals", Scalar("The value the field must equal."));
            Replace(schema, "in", new OpenApiSchema { Type = JsonSchemaType.Array | JsonSchemaType.Null, Items = Scalar(), Description = "The values the field may have." });
        }
        else if (type == typeof(OpenAiEmbeddingsRequest))
        {
            Replace(schema, "input", new OpenApiSchema
            {
                Description = "A text, or an array of texts (at most 2,048).",
                OneOf = [new OpenApiSchema { Type = JsonSchemaType.String }, new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } }],
            });
        }
        else if (type == typeof(OpenAiEmbedding))
        {
            Replace(schema, "embedding", new OpenApiSchema
            {
                Description = "The vector: floats, or base64 of little-endian float32 with `encoding_format: base64`.",
                OneOf = [new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.Number } }, new OpenApiSchema { Type = JsonSchemaType.String }],
            });
        }
        else if (type == typeof(RerankRequest))
        {
            Replace(schema, "documents", new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Description = "The documents: strings, or objects with a `text`.",
                Items = new OpenApiSchema
                {
                    OneOf =
                    [
                        new OpenApiSchema { Type = JsonSchemaType.String },
                        new OpenApiSchema
                        {
                            Type = JsonSchemaType.Object,
                            Properties = new Dictionary<string, IOpenApiSchema> { ["text"] = new OpenApiSchema { Type = JsonSchemaType.String } },
                            Required = new HashSet<string> { "text" },
                        },
                    ],
                },
            });
        }

        if (schema.Required is { Count: > 0 } required && schema.Properties is { } properties)
        {
            foreach (var name in required.Where(name => properties.TryGetValue(name, out var property) && IsNullable(property)).ToList())
            {
                required.Remove(name);
            }
        }
    }

    private static bool IsNullable(IOpenApiSchema property) =>
        (property.Type is { } t && t.HasFlag(JsonSchemaType.Null)) || (property.OneOf?.Any(o => o.Type == JsonSchemaType.Null) ?? false);

    private static void Replace(OpenApiSchema schema, string property, OpenApiSchema with)
    {
        if (schema.Properties?.ContainsKey(property) == true)
        {
            schema.Properties[property] = with;
        }
    }

    private static OpenApiSchema Scalar(string? description = null) => new()
    {
        Description = description,
        Type = JsonSchemaType.String | JsonSchemaType.Number | JsonSchemaType.Boolean | JsonSchemaType.Null,
    };

    // Kiota makes this property the generated exception's Message, so its users read our reason.
    private static OpenApiSchema PrimaryMessage(OpenApiSchema property)
    {
        property.Extensions = new Dictionary<string, IOpenApiExtension> { ["x-ms-primary-error-message"] = new JsonNodeExtension(true) };
        return property;
    }

    private static IEnumerable<(string Name, OpenApiSchema Schema)> ErrorSchemas()
    {
        static OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, Description = description };
        yield return ("Problem", new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "RFC 9457 problem details with a stable `code`.",
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = Text("A URI for the kind of problem."),
                ["title"] = Text("A short summary."),
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Description = "The HTTP status." },
                ["detail"] = PrimaryMessage(Text("What is wrong and where.")),
                ["code"] = Text("A stable machine-readable code (docs/api.md lists them)."),
            },
            Required = new HashSet<string> { "title", "status", "code" },
        });
        yield return ("OpenAiError", new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "OpenAI's error shape.",
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["error"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["message"] = Text("What is wrong and where."),
                        ["type"] = Text("invalid_request_error, authentication_error, permission_error, not_found_error, rate_limit_error or server_error."),
                        ["param"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "The request field at fault, when one is." },
                        ["code"] = Text("A stable machine-readable code."),
                    },
                    Required = new HashSet<string> { "message", "type", "code" },
                },
            },
            Required = new HashSet<string> { "error" },
        });
        yield return ("CohereError", new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "Cohere's (and Jina's) error shape, with our code.",
            Properties = new Dictionary<string, IOpenApiSchema> { ["message"] = PrimaryMessage(Text("What is wrong and where.")), ["code"] = Text("A stable machine-readable code.") },
            Required = new HashSet<string> { "message", "code" },
        });
        yield return ("TeiError", new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "text-embeddings-inference's error shape.",
            Properties = new Dictionary<string, IOpenApiSchema> { ["error"] = Text("What is wrong."), ["error_type"] = Text("The kind of error.") },
            Required = new HashSet<string> { "error", "error_type" },
        });
    }
}

/// <summary>Endpoint metadata: the route's body is a JSON array of these (the handler reads it itself).</summary>
internal sealed record ArrayBodyMetadata(Type Items);

/// <summary>Endpoint metadata: the route can answer 409 (the collection's state refuses it).</summary>
internal sealed class ConflictMetadata;

/// <summary>Endpoint metadata: the route writes to disk and can answer 507.</summary>
internal sealed class WritesMetadata;
