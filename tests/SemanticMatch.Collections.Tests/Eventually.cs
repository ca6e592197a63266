namespace SemanticMatch.Collections.Tests;

/// <summary>Waits for what a background task does: asks again every 20 ms until it holds or the patience runs out.</summary>
internal static class Eventually
{
    /// <summary>Whether <paramref name="condition"/> held within <paramref name="patience"/>.</summary>
    public static async Task<bool> HoldsAsync(Func<bool> condition, TimeSpan patience)
    {
        var until = DateTime.UtcNow + patience;
        while (!condition() && DateTime.UtcNow < until)
        {
            await Task.Delay(20);
        }

        return condition();
    }
}
