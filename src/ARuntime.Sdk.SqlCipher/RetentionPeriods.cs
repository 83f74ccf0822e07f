using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.SqlCipher;

/// <summary>The concrete period of each <see cref="RetentionClass"/>; <see cref="RetentionClass.LegalHold"/> is never purged.</summary>
public sealed class RetentionPeriods
{
    /// <summary>Gets or sets the transient period.</summary>
    public TimeSpan Transient { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Gets or sets the standard period.</summary>
    public TimeSpan Standard { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Gets or sets the extended period.</summary>
    public TimeSpan Extended { get; set; } = TimeSpan.FromDays(7 * 365);

    /// <summary>Returns the period of a class, or <see langword="null"/> for one that is never purged.</summary>
    /// <param name="retention">The class.</param>
    /// <returns>The period.</returns>
    public TimeSpan? For(RetentionClass retention) => retention switch
    {
        RetentionClass.Transient => Transient,
        RetentionClass.Standard => Standard,
        RetentionClass.Extended => Extended,
        _ => null,
    };

    /// <summary>The instant a period before <paramref name="now"/> (UTC ticks); 0 when the period reaches past the clock's start (nothing is that old).</summary>
    internal static long CutoffTicks(DateTimeOffset now, TimeSpan period) =>
        period.Ticks >= now.UtcTicks ? 0 : now.UtcTicks - period.Ticks;
}
