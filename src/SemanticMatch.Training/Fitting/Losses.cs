using static TorchSharp.torch;

namespace SemanticMatch.Training.Fitting;

/// <summary>The training objectives on unit-length query and product embeddings [batch, hidden].</summary>
public static class Losses
{
    /// <summary>
    /// Multiple-negatives ranking: cross-entropy of scale * cos(q_i, p_j) over j, target j = i
    /// (every other product of the batch is a negative for query i).
    /// </summary>
    /// <remarks>With <paramref name="hardNegatives"/> [batch, hidden], every query also scores every hard negative.</remarks>
    public static Tensor MultipleNegativesRanking(Tensor queries, Tensor products, double scale, Tensor? hardNegatives = null)
    {
        var candidates = hardNegatives is null ? products : cat([products, hardNegatives]);
        var scores = queries.matmul(candidates.t()) * scale;
        var targets = arange(queries.shape[0], dtype: ScalarType.Int64, device: queries.device);
        return nn.functional.cross_entropy(scores, targets);
    }

    /// <summary>Binary cross-entropy of sigmoid(a * cos + b) against the labels (1 = relevant).</summary>
    public static Tensor BinaryCrossEntropy(Tensor queries, Tensor products, Tensor labels, Tensor a, Tensor b)
    {
        var cosine = (queries * products).sum(1);
        return nn.functional.binary_cross_entropy_with_logits(a * cosine + b, labels);
    }

    /// <summary>
    /// CoSENT (Su, 2022): log(1 + sum over pairs (i, j) with relevance_i &gt; relevance_j of exp(scale * (cos_j - cos_i))).
    /// </summary>
    public static Tensor Cosent(Tensor queries, Tensor products, Tensor relevance, double scale)
    {
        var cosine = (queries * products).sum(1) * scale;
        var differences = cosine.unsqueeze(0) - cosine.unsqueeze(1); // [i, j] = cos_j - cos_i
        var ordered = (relevance.unsqueeze(1) > relevance.unsqueeze(0)).to_type(ScalarType.Float32); // rel_i > rel_j
        var masked = differences - (1 - ordered) * 1e12f;
        var withZero = cat([zeros(1, device: queries.device), masked.flatten()]);
        return withZero.logsumexp(0);
    }

    /// <summary>
    /// Listwise (ListNet top-one): mean over queries q of the cross-entropy between softmax_j(scale * cos(q, p_j)) over
    /// every product of the batch and the target exp(relevance_j) / sum over q's products, 0 for other queries' products.
    /// </summary>
    /// <param name="queries">One embedding per query of the batch [queries, hidden], in the order of their ids.</param>
    /// <param name="products">Product embeddings, one row per pair.</param>
    /// <param name="relevance">The relevance of each pair.</param>
    /// <param name="queryIds">The query (row of <paramref name="queries"/>) of each pair.</param>
    /// <param name="scale">Inverse temperature of the scores.</param>
    public static Tensor Listwise(Tensor queries, Tensor products, Tensor relevance, Tensor queryIds, double scale)
    {
        var scores = queries.matmul(products.t()) * scale; // [queries, pairs]
        var own = arange(queries.shape[0], dtype: ScalarType.Int64, device: queries.device).unsqueeze(1).eq(queryIds.unsqueeze(0));
        var weights = (relevance - relevance.max()).exp().unsqueeze(0) * own.to_type(ScalarType.Float32);
        var target = weights / weights.sum(1, keepdim: true);
        return -(target * nn.functional.log_softmax(scores, 1)).sum(1).mean();
    }

    /// <summary>
    /// Margin-MSE: mean over every ordered pair (i, j) of products of the same query of
    /// (scale * (cos_i - cos_j) - (teacher_i - teacher_j))^2; pairs of different queries are ignored.
    /// </summary>
    /// <param name="queries">Query embeddings, one row per pair.</param>
    /// <param name="products">Product embeddings, one row per pair.</param>
    /// <param name="teacher">The teacher's score per pair.</param>
    /// <param name="queryIds">Which query each pair belongs to (equal ids = same query).</param>
    /// <param name="scale">Maps cosine differences onto the teacher's scale (learned).</param>
    public static Tensor MarginMse(Tensor queries, Tensor products, Tensor teacher, Tensor queryIds, Tensor scale)
    {
        var cosine = (queries * products).sum(1);
        var student = scale * (cosine.unsqueeze(1) - cosine.unsqueeze(0));
        var target = teacher.unsqueeze(1) - teacher.unsqueeze(0);
        var sameQuery = queryIds.unsqueeze(1).eq(queryIds.unsqueeze(0)).to_type(ScalarType.Float32);
        var pairs = sameQuery.sum() - queryIds.shape[0]; // the diagonal contributes zero error but would count
        return ((student - target).square() * sameQuery).sum() / pairs.clamp_min(1);
    }
}
