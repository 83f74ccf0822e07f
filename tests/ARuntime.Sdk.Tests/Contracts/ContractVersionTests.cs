using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Tests.Contracts;

public sealed class ContractVersionTests
{
    [TestCase("1.0", true)]
    [TestCase("1.7", true)]
    [TestCase("2.0", false)]
    [TestCase("0.9", false)]
    [TestCase("1", false)]
    [TestCase("1.", false)]
    [TestCase(".1", false)]
    [TestCase("1.x", false)]
    [TestCase("-1.0", false)]
    [TestCase("", false)]
    [TestCase(null, false)]
    public void Only_well_formed_versions_of_a_supported_major_are_readable(string? version, bool supported) =>
        Assert.That(ContractVersions.IsSupported(version), Is.EqualTo(supported));

    [Test]
    public void Every_contract_is_written_with_the_current_version()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ContractSerializationTests.FullRequest().ContractVersion, Is.EqualTo(ContractVersions.Current));
            Assert.That(new ModelRoute().ContractVersion, Is.EqualTo(ContractVersions.Current));
            Assert.That(PolicyDecision.Allow("p").ContractVersion, Is.EqualTo(ContractVersions.Current));
            Assert.That(ContractVersions.IsSupported(ContractVersions.Current), Is.True);
        });
    }
}
