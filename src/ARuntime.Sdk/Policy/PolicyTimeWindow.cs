namespace ARuntime.Sdk.Policy;

/// <summary>
/// When a rule applies: between two instants, on some days of the week, between two times of day, in a time zone. Every part
/// that is set must hold; the decision's time comes from the runtime's <see cref="TimeProvider"/>.
/// </summary>
public sealed record PolicyTimeWindow
{
    /// <summary>Gets the days of the week (in <see cref="TimeZone"/>) the rule applies on; empty means every day.</summary>
    public IReadOnlyList<DayOfWeek> Days { get; init; } = [];

    /// <summary>Gets the time of day (in <see cref="TimeZone"/>) from which the rule applies, inclusive; <see langword="null"/> means midnight.</summary>
    public TimeOnly? From { get; init; }

    /// <summary>
    /// Gets the time of day until which the rule applies, exclusive; <see langword="null"/> means the end of the day. When it is
    /// earlier than <see cref="From"/>, the window runs over midnight (for example 22:00 to 06:00).
    /// </summary>
    public TimeOnly? To { get; init; }

    /// <summary>Gets the time zone of <see cref="Days"/>, <see cref="From"/> and <see cref="To"/> (an IANA or Windows id; default UTC).</summary>
    public string TimeZone { get; init; } = "UTC";

    /// <summary>Gets the instant from which the rule applies, inclusive.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>Gets the instant after which the rule no longer applies, exclusive.</summary>
    public DateTimeOffset? NotAfter { get; init; }
}
