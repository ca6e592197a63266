using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SemanticMatch.Training.Bert;

/// <summary>
/// A Linear layer with an optional low-rank adapter (LoRA, Hu et al., 2021): y = W x + b + (alpha / r) B A x, with A
/// random and B zero at the start so training begins from the pretrained function. <see cref="Merge"/> folds B A into W
/// for export, so the ONNX graph keeps its shape.
/// </summary>
public sealed class LoraLinear : nn.Module<Tensor, Tensor>
{
    private Parameter? _a;
    private Parameter? _b;
    private double _scale;

    internal LoraLinear(int inFeatures, int outFeatures)
        : base(nameof(LoraLinear))
    {
        Base = nn.Linear(inFeatures, outFeatures);
        RegisterComponents();
    }

    /// <summary>The dense layer.</summary>
    public Linear Base { get; }

    /// <summary>Whether an adapter is attached.</summary>
    public bool HasAdapter => _a is not null;

    /// <summary>The adapter's trainable parameters (empty without one).</summary>
    public IEnumerable<Parameter> AdapterParameters() => _a is null ? [] : [_a, _b!];

    /// <summary>Attaches a rank-<paramref name="rank"/> adapter; A ~ Kaiming-uniform from <paramref name="generator"/>, B = 0.</summary>
    public void AttachAdapter(int rank, double alpha, Generator generator)
    {
        var inFeatures = Base.weight!.shape[1];
        var outFeatures = Base.weight!.shape[0];
        var bound = 1.0 / Math.Sqrt(inFeatures);
        _a = new Parameter((rand([rank, inFeatures], generator: generator) * 2 - 1) * bound);
        _b = new Parameter(zeros([outFeatures, rank]));
        _scale = alpha / rank;
        register_parameter("lora_a", _a);
        register_parameter("lora_b", _b);
    }

    /// <summary>Folds the adapter into the dense weight (W += scale B A) and removes it.</summary>
    public void Merge()
    {
        if (_a is null)
        {
            return;
        }

        using (no_grad())
        {
            Base.weight!.add_(_b!.matmul(_a) * _scale);
        }

        _a = null;
        _b = null;
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        var y = Base.forward(x);
        return _a is null ? y : y + nn.functional.linear(nn.functional.linear(x, _a), _b!) * _scale;
    }
}
