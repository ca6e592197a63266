using Onnx;
using SemanticMatch.Onnx.Models;

namespace SemanticMatch.Training.Bert;

/// <summary>
/// Layer pruning (the source's model compression): a model of fewer transformer layers starts from some of a trained
/// model's layers, and its ONNX graph is the base graph cut after that many layers.
/// </summary>
public static class LayerPruning
{
    /// <summary>
    /// The base layers a model of <paramref name="keep"/> layers starts from: evenly spaced, top layer included (its
    /// output is what pooling and a head were trained on): 6 -> 4 keeps 0, 2, 3, 5; 6 -> 3 keeps 1, 3, 5.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="keep"/> is not in 1..<paramref name="baseLayers"/>.</exception>
    public static IReadOnlyList<int> KeptLayers(int baseLayers, int keep)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(keep, baseLayers);
        return [.. Enumerable.Range(0, keep).Select(j => ((j + 1) * baseLayers / keep) - 1)];
    }

    /// <summary>A trained model's name, marked with its layer count when it was pruned (<paramref name="layers"/> &gt; 0).</summary>
    public static string Named(string name, int layers) => layers > 0 ? $"{name}-{layers}layers" : name;

    /// <summary>
    /// Cuts a BERT graph after its first <paramref name="layers"/> transformer layers: what read the top layer's output
    /// reads layer <paramref name="layers"/> - 1's instead, and the nodes and weights nothing needs any more are removed.
    /// Each layer's output is found by the node that adds its last LayerNorm's bias, whatever the export named it.
    /// </summary>
    /// <exception cref="ModelFormatException">A layer's output LayerNorm is missing from the graph.</exception>
    public static void Truncate(ModelProto model, int layers)
    {
        var graph = model.Graph;
        var top = OnnxBertWeights.ReadLayerCount(graph) - 1;
        if (layers > top)
        {
            return;
        }

        var kept = LayerOutput(graph, layers - 1);
        var replaced = LayerOutput(graph, top);

        // The top layer's output keeps its name (it may be a graph output); an Identity right after layer N-1 makes it.
        graph.Node.Remove(graph.Node.Single(n => n.Output.Contains(replaced)));
        var after = graph.Node.IndexOf(graph.Node.Single(n => n.Output.Contains(kept))) + 1;
        graph.Node.Insert(after, new NodeProto { OpType = "Identity", Name = "pruned_encoder_output", Input = { kept }, Output = { replaced } });
        RemoveUnused(graph);
    }

    private static string LayerOutput(GraphProto graph, int layer)
    {
        var bias = $"encoder.layer.{layer}.output.LayerNorm.bias";
        return graph.Node.FirstOrDefault(n => n.Input.Contains(bias))?.Output[0]
            ?? throw new ModelFormatException($"the graph has no node reading {bias}");
    }

    // Keeps the nodes the graph outputs depend on (nodes are in topological order) and the initializers they read.
    private static void RemoveUnused(GraphProto graph)
    {
        var needed = new HashSet<string>(graph.Output.Select(o => o.Name), StringComparer.Ordinal);
        var live = new List<NodeProto>();
        foreach (var node in graph.Node.Reverse())
        {
            if (node.Output.Any(needed.Contains))
            {
                live.Add(node);
                needed.UnionWith(node.Input.Where(i => i.Length > 0));
            }
        }

        live.Reverse();
        graph.Node.Clear();
        graph.Node.AddRange(live);
        var unused = graph.Initializer.Where(i => !needed.Contains(i.Name)).ToList();
        foreach (var initializer in unused)
        {
            graph.Initializer.Remove(initializer);
        }

        // Graphs of IR version < 4 also list their initializers as inputs.
        var removed = unused.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var input in graph.Input.Where(i => removed.Contains(i.Name)).ToList())
        {
            graph.Input.Remove(input);
        }

        foreach (var info in graph.ValueInfo.Where(v => !needed.Contains(v.Name)).ToList())
        {
            graph.ValueInfo.Remove(info);
        }
    }
}
