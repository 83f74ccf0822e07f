using System.Text.Json.Serialization;

namespace ARuntime.Sdk.Contracts;

/// <summary>
/// The classification label that travels with a piece of data (a request, a context item, a tool payload, a memory item)
/// so that policy, routing and retention can act on the data itself rather than only on the request that carried it.
/// </summary>
/// <remarks>
/// Combining two labels (<see cref="Combine"/>) keeps the higher sensitivity and the union of the labels: data derived from
/// classified data is at least as classified as its inputs.
/// </remarks>
public sealed record DataClassification
{
    /// <summary>Initializes a new instance (<see cref="Sensitivity.Internal"/> unless set).</summary>
    public DataClassification()
    {
    }

    /// <summary>
    /// Initializes a new instance with a sensitivity. JSON readers use this constructor, so that a label that leaves
    /// <c>sensitivity</c> out is <see cref="Sensitivity.Internal"/>, never the enum's zero value <see cref="Sensitivity.Public"/>
    /// (a source-generated reader would otherwise set every init-only member, dotnet/runtime#84484; failing open here would
    /// let data be routed as public) — in any serializer context, the host's included.
    /// </summary>
    /// <param name="sensitivity">The sensitivity.</param>
    [JsonConstructor]
    public DataClassification(Sensitivity sensitivity = Sensitivity.Internal)
    {
        Sensitivity = sensitivity;
    }

    /// <summary>Unlabelled data: <see cref="Sensitivity.Internal"/> with no labels.</summary>
    public static DataClassification Unlabelled { get; } = new();

    /// <summary>Public data with no labels.</summary>
    public static DataClassification Public { get; } = new() { Sensitivity = Sensitivity.Public };

    /// <summary>Gets the sensitivity level.</summary>
    public Sensitivity Sensitivity { get; init; } = Sensitivity.Internal;

    /// <summary>Gets the labels naming what kind of data this is (for example <c>pii</c>, <c>phi</c>, <c>pci</c>, <c>secret</c>).</summary>
    public IReadOnlyList<string> Labels { get; init => field = value ?? []; } = [];

    /// <summary>Creates a classification.</summary>
    /// <param name="sensitivity">The sensitivity level.</param>
    /// <param name="labels">The labels.</param>
    /// <returns>The classification.</returns>
    public static DataClassification Of(Sensitivity sensitivity, params string[] labels) =>
        new() { Sensitivity = sensitivity, Labels = labels.Length == 0 ? [] : [.. labels.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)] };

    /// <summary>Returns whether this classification carries <paramref name="label"/>.</summary>
    /// <param name="label">The label to look for (ordinal comparison).</param>
    /// <returns><see langword="true"/> when the label is present.</returns>
    public bool HasLabel(string label) => Labels.Contains(label, StringComparer.Ordinal);

    /// <summary>Combines two classifications: the higher sensitivity and the union of the labels.</summary>
    /// <param name="other">The other classification; <see langword="null"/> returns this one.</param>
    /// <returns>The combined classification.</returns>
    public DataClassification Combine(DataClassification? other)
    {
        if (other is null || ReferenceEquals(other, this))
        {
            return this;
        }

        var sensitivity = other.Sensitivity > Sensitivity ? other.Sensitivity : Sensitivity;
        if (other.Labels.Count == 0 && sensitivity == Sensitivity)
        {
            return this;
        }

        if (Labels.Count == 0 && sensitivity == other.Sensitivity)
        {
            return other;
        }

        return new DataClassification
        {
            Sensitivity = sensitivity,
            Labels = [.. Labels.Union(other.Labels, StringComparer.Ordinal).Order(StringComparer.Ordinal)],
        };
    }

    /// <inheritdoc />
    public bool Equals(DataClassification? other) =>
        other is not null && Sensitivity == other.Sensitivity && Labels.SequenceEqual(other.Labels, StringComparer.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Sensitivity);
        foreach (var label in Labels)
        {
            hash.Add(label, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }
}
