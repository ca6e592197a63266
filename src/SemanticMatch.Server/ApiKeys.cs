using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SemanticMatch.Core;

namespace SemanticMatch.Server;

/// <summary>What a key may do.</summary>
public enum Scope
{
    /// <summary>Search, similar, match, embed, reading records and collections.</summary>
    Read,

    /// <summary>Upserting and deleting records, feedback.</summary>
    Write,

    /// <summary>Creating and deleting collections.</summary>
    Admin,
}

/// <summary>
/// API keys of a data directory (<c>keys.json</c>): each has a name, scopes and the SHA-256 of its secret. Secrets are
/// shown once, when added, and never stored or logged; lookups compare hashes in constant time.
/// </summary>
/// <remarks>
/// A SHA-256 without salt suits API keys (unlike passwords): the secrets are 256 random bits, so there is nothing to
/// guess from a leaked hash.
/// </remarks>
public sealed class ApiKeys
{
    private const string FileName = "keys.json";
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly List<StoredKey> _keys;

    private ApiKeys(List<StoredKey> keys) => _keys = keys;

    /// <summary>Whether any key exists; without keys the service is open.</summary>
    public bool Any => _keys.Count > 0;

    /// <summary>Reads the keys of <paramref name="dataDirectory"/> (none when it has no keys file).</summary>
    /// <exception cref="InvalidRequestException">The keys file is not readable as keys (named in the message).</exception>
    public static ApiKeys Load(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path))
        {
            return new ApiKeys([]);
        }

        List<StoredKey>? keys;
        try
        {
            keys = JsonSerializer.Deserialize<List<StoredKey>>(File.ReadAllText(path), s_json);
        }
        catch (JsonException e)
        {
            throw new InvalidRequestException($"{path} is not a keys file ({e.Message}); restore it from a backup, or move it away and add the keys again");
        }

        // A garbled file never opens the service: a key without a hash or scopes is refused like an unreadable file.
        if (keys is null || keys.Any(k => k is null || string.IsNullOrEmpty(k.Name) || k.Scopes is null || k.Sha256 is not { Length: 64 }
            || !k.Sha256.All(char.IsAsciiHexDigit)))
        {
            throw new InvalidRequestException($"{path} is not a keys file (an entry lacks its name, scopes or SHA-256); restore it from a backup, or move it away and add the keys again");
        }

        return new ApiKeys(keys);
    }

    /// <summary>What is wrong with a key's <paramref name="name"/> or its comma-separated <paramref name="scopes"/> (each host names them its own way), or null.</summary>
    public static OptionProblem? Problem(string name, string scopes)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 64)
        {
            return new OptionProblem("Name", "must be 1-64 characters");
        }

        var parts = (scopes ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            return new OptionProblem("Scopes", "must name at least one of read, write, admin");
        }

        return parts.FirstOrDefault(p => !Enum.TryParse<Scope>(p, ignoreCase: true, out var scope) || !Enum.IsDefined(scope)) is { } unknown
            ? new OptionProblem("Scopes", $"'{unknown}' is not one of: read, write, admin")
            : null;
    }

    /// <summary>Adds a key with the comma-separated <paramref name="scopes"/> and returns its secret (the only time it is shown).</summary>
    /// <exception cref="InvalidRequestException">A bad name or scope list (<see cref="Problem"/>), or the name is taken.</exception>
    public static string Add(string dataDirectory, string name, string scopes)
    {
        if (Problem(name, scopes) is { } problem)
        {
            throw new InvalidRequestException($"key {problem}");
        }

        var keys = Load(dataDirectory)._keys;
        if (keys.Any(k => k.Name == name))
        {
            throw new InvalidRequestException($"a key named '{name}' exists already in {Path.Combine(dataDirectory, FileName)}");
        }

        var parsed = scopes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => Enum.Parse<Scope>(p, ignoreCase: true)).Distinct().Order();
        var secret = "smk_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        keys.Add(new StoredKey(name, [.. parsed], Hash(secret)));
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, FileName);
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(keys, s_json));
        File.Move(path + ".tmp", path, overwrite: true);
        return secret;
    }

    /// <summary>The name and scopes of the key whose secret is <paramref name="secret"/>, or null for an unknown secret.</summary>
    public (string Name, IReadOnlyList<Scope> Scopes)? Find(string secret)
    {
        var hash = Convert.FromHexString(Hash(secret));
        (string, IReadOnlyList<Scope>)? found = null;
        foreach (var key in _keys)
        {
            // Every key is compared, in constant time, so timing says nothing about which one matched.
            if (CryptographicOperations.FixedTimeEquals(hash, Convert.FromHexString(key.Sha256)))
            {
                found = (key.Name, key.Scopes);
            }
        }

        return found;
    }

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private sealed record StoredKey(string Name, IReadOnlyList<Scope> Scopes, string Sha256);
}
