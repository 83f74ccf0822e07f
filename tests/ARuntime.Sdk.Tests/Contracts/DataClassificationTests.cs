using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Tests.Contracts;

public sealed class DataClassificationTests
{
    [Test]
    public void Combining_keeps_the_higher_sensitivity_and_the_union_of_labels()
    {
        var a = DataClassification.Of(Sensitivity.Confidential, "pii");
        var b = DataClassification.Of(Sensitivity.Internal, "pci", "pii");

        var combined = a.Combine(b);

        Assert.Multiple(() =>
        {
            Assert.That(combined.Sensitivity, Is.EqualTo(Sensitivity.Confidential));
            Assert.That(combined.Labels, Is.EqualTo(new[] { "pci", "pii" }));
            Assert.That(b.Combine(a), Is.EqualTo(combined), "combination is symmetric");
            Assert.That(a.Combine(null), Is.SameAs(a));
        });
    }

    [Test]
    public void Classifications_compare_by_value()
    {
        Assert.Multiple(() =>
        {
            Assert.That(DataClassification.Of(Sensitivity.Restricted, "b", "a"), Is.EqualTo(DataClassification.Of(Sensitivity.Restricted, "a", "b")));
            Assert.That(DataClassification.Of(Sensitivity.Restricted, "a"), Is.Not.EqualTo(DataClassification.Of(Sensitivity.Confidential, "a")));
            Assert.That(DataClassification.Of(Sensitivity.Public, "x").HasLabel("x"), Is.True);
            Assert.That(DataClassification.Unlabelled.Sensitivity, Is.EqualTo(Sensitivity.Internal));
        });
    }
}
