using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SemanticMatch.Collections;
using SemanticMatch.Core;
using SemanticMatch.Server.Hosting;

namespace SemanticMatch.Server.Api;

/// <summary>
/// Aliases: <c>PUT /v1/aliases/{alias}</c> points a stable name at a collection (swapped atomically), and every
/// collection route that names a collection (<c>{name}</c>) accepts an alias for it; creating and dropping take a
/// collection's own name only.
/// </summary>
internal static class AliasEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        v1.MapGet("/aliases", async (ICollectionAliases aliases, CancellationToken cancellationToken) =>
            new AliasListResponse([.. (await aliases.AliasesAsync(cancellationToken)).Select(a => new AliasResponse(a.Alias, a.Collection))]))
            .Needs(Scope.Read).WithName("listAliases").WithSummary("List the aliases").WithTags("Aliases");
        v1.MapGet("/aliases/{alias}", GetAsync).Needs(Scope.Read)
            .WithName("getAlias").WithSummary("The collection an alias names").WithTags("Aliases");
        v1.MapPut("/aliases/{alias}", SetAsync).Needs(Scope.Admin).WithMetadata(new ConflictMetadata(), new WritesMetadata())
            .WithName("setAlias").WithSummary("Point an alias at a collection (201 when new; a swap is atomic)").WithTags("Aliases");
        v1.MapDelete("/aliases/{alias}", DeleteAsync).Needs(Scope.Admin).WithMetadata(new WritesMetadata())
            .WithName("deleteAlias").WithSummary("Delete an alias (the collection stays)").WithTags("Aliases");
    }

    /// <summary>
    /// An endpoint filter factory: a route's <c>name</c> argument (its collection) that is an alias becomes the
    /// collection the alias names, resolved once per request; routes marked <see cref="OwnNameMetadata"/> are left as they are.
    /// </summary>
    public static EndpointFilterDelegate ResolveCollectionName(EndpointFilterFactoryContext factory, EndpointFilterDelegate next)
    {
        var index = Array.FindIndex(factory.MethodInfo.GetParameters(), p => p.Name == "name" && p.ParameterType == typeof(string));
        if (index < 0)
        {
            return next;
        }

        return async context =>
        {
            if (context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<OwnNameMetadata>() is null
                && context.Arguments[index] is string name && CollectionSettings.IsValidName(name)
                && await context.HttpContext.RequestServices.GetRequiredService<ICollectionAliases>()
                    .ResolveAliasAsync(name, context.HttpContext.RequestAborted) is { } collection)
            {
                context.Arguments[index] = collection;
            }

            return await next(context);
        };
    }

    private static async Task<AliasResponse> GetAsync(string alias, ICollectionAliases aliases, CancellationToken cancellationToken)
    {
        CollectionSettings.CheckName(alias);
        return await aliases.ResolveAliasAsync(alias, cancellationToken) is { } collection
            ? new AliasResponse(alias, collection)
            : throw new AliasNotFoundException(alias);
    }

    private static async Task<Results<Created<AliasResponse>, Ok<AliasResponse>>> SetAsync(string alias, SetAliasRequest? body, ICollectionAliases aliases,
        CancellationToken cancellationToken)
    {
        if (body?.Collection is not { } collection)
        {
            throw new InvalidRequestException("collection: must be given, the collection the alias names, e.g. {\"collection\": \"shop-v2\"}");
        }

        var previous = await aliases.SetAliasAsync(alias, collection, cancellationToken);
        var response = new AliasResponse(alias, collection);
        return previous is null ? TypedResults.Created($"/v1/aliases/{alias}", response) : TypedResults.Ok(response);
    }

    private static async Task<NoContent> DeleteAsync(string alias, ICollectionAliases aliases, CancellationToken cancellationToken) =>
        await aliases.RemoveAliasAsync(alias, cancellationToken) ? TypedResults.NoContent() : throw new AliasNotFoundException(alias);
}

/// <summary>Endpoint metadata: the route's <c>{name}</c> is a collection's own name, never resolved as an alias (create, drop).</summary>
internal sealed class OwnNameMetadata;
