using SemanticMatch.Core;
using SemanticMatch.Core.Similarity;

namespace SemanticMatch.Testing;

/// <summary>
/// A fast, deterministic test fake: bag of lower-cased words hashed into 64 buckets, L2-normalised; words listed in
/// <paramref name="synonyms"/> are hashed as the word they map to (so "couch" can embed like "sofa").
/// </summary>
public sealed class HashingEncoder(string identity = "hashing-64", IReadOnlyDictionary<string, string>? synonyms = null) : ITextEncoder
{
    public int Dimension => 64;

    public string Identity => identity;

    public List<string> QueriesSeen { get; } = [];

    public float[][] Encode(IReadOnlyList<string> texts, TextRole role, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        if (role == TextRole.Query)
        {
            QueriesSeen.AddRange(texts);
        }

        var vectors = texts.Select(Embed).ToArray();
        progress?.Report(texts.Count);
        return vectors;
    }

    private float[] Embed(string text)
    {
        var vector = new float[Dimension];
        foreach (var token in TokenJaccard.Tokens(text))
        {
            vector[(int)((uint)StableHash(synonyms?.GetValueOrDefault(token) ?? token) % Dimension)] += 1;
        }

        VectorSimilarity.Normalize(vector);
        return vector;
    }

    private static int StableHash(string token) => token.Aggregate(17, (h, c) => unchecked(h * 31 + c));
}
