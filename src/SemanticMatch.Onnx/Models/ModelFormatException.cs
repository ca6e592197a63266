using SemanticMatch.Core;

namespace SemanticMatch.Onnx.Models;

/// <summary>A model directory is missing, incomplete or has an invalid configuration; the message says what to fix.</summary>
public sealed class ModelFormatException(string message) : InvalidRequestException(message);
