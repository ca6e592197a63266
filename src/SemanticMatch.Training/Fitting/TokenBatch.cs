using static TorchSharp.torch;

namespace SemanticMatch.Training.Fitting;

/// <summary>Pads token sequences into int64 tensors [batch, longest] for the encoder.</summary>
internal static class TokenBatch
{
    /// <summary>Ids and attention mask (1 = token, 0 = padding) of single texts.</summary>
    public static (Tensor Ids, Tensor Mask) Single(IReadOnlyList<long[]> sequences)
    {
        var (ids, mask, _) = Pairs(sequences.Select(s => (s, Array.Empty<long>())).ToList());
        return (ids, mask);
    }

    /// <summary>
    /// Ids, mask and token types of pairs as BERT reads them: the first sequence ([CLS] a [SEP], type 0) followed by
    /// the second without its [CLS] (b [SEP], type 1).
    /// </summary>
    public static (Tensor Ids, Tensor Mask, Tensor Types) Pairs(IReadOnlyList<(long[] First, long[] Second)> pairs)
    {
        static int SecondLength(long[] second) => Math.Max(0, second.Length - 1);
        var length = pairs.Max(p => p.First.Length + SecondLength(p.Second));
        var ids = new long[pairs.Count * length];
        var mask = new long[pairs.Count * length];
        var types = new long[pairs.Count * length];
        for (var i = 0; i < pairs.Count; i++)
        {
            var (first, second) = pairs[i];
            var row = i * length;
            first.CopyTo(ids, row);
            if (second.Length > 1)
            {
                second.AsSpan(1).CopyTo(ids.AsSpan(row + first.Length));
                types.AsSpan(row + first.Length, second.Length - 1).Fill(1);
            }

            mask.AsSpan(row, first.Length + SecondLength(second)).Fill(1);
        }

        return (tensor(ids, [pairs.Count, length]), tensor(mask, [pairs.Count, length]), tensor(types, [pairs.Count, length]));
    }
}
