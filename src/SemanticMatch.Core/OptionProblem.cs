namespace SemanticMatch.Core;

/// <summary>
/// What is wrong with one setting of an options record: the property (e.g. "LearningRate") and the rule it breaks
/// ("must be positive"), so that each host can name the setting its own way (a CLI option, a JSON field).
/// </summary>
/// <param name="Property">Name of the options record's property.</param>
/// <param name="Rule">The rule the value breaks, as a predicate phrase.</param>
/// <param name="IsLimit">Whether the rule is a size limit of ours (a service answers 422) rather than a meaningless value (400).</param>
public sealed record OptionProblem(string Property, string Rule, bool IsLimit = false)
{
    /// <summary>"Property rule".</summary>
    public override string ToString() => $"{Property} {Rule}";
}
