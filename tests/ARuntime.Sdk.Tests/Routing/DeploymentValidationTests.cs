using ARuntime.Sdk.Routing;
using ARuntime.Sdk.Testing;
using ARuntime.Sdk.Tests.Failures;
using Microsoft.Extensions.Options;

namespace ARuntime.Sdk.Tests.Routing;

/// <summary>
/// A deployment's price and timeout feed the cost budget and the "model timeout" row: values that would silently defeat
/// them are refused when the runtime starts, naming the deployment and the setting.
/// </summary>
public sealed class DeploymentValidationTests
{
    [TestCase("PerCall")]
    [TestCase("PerMillionPromptTokens")]
    [TestCase("PerMillionGeneratedTokens")]
    public void NegativePrice_IsRefusedAtStartup_NamingTheDeployment(string component)
    {
        // A negative price would give budget back with every call, so a cost budget would never stop the request.
        var pricing = component switch
        {
            "PerCall" => new ModelPricing { PerCall = -0.01m },
            "PerMillionPromptTokens" => new ModelPricing { PerMillionPromptTokens = -1m },
            _ => new ModelPricing { PerMillionGeneratedTokens = -1m },
        };

        Assert.That(
            () => AgentTestHarness.Create(b => b.AddOnHarnessEngine(new ModelDeployment { Name = "cheap", Pricing = pricing })),
            Throws.TypeOf<OptionsValidationException>().With.Message.Contains("Deployment 'cheap'").And.Message.Contains("Pricing." + component));
    }

    [Test]
    public void NonPositiveTimeout_IsRefusedAtStartup_NamingTheDeployment()
    {
        // A zero timeout would time every attempt out at once and fall back without the deployment ever answering.
        Assert.That(
            () => AgentTestHarness.Create(b => b.AddOnHarnessEngine(new ModelDeployment { Name = "instant", Timeout = TimeSpan.Zero })),
            Throws.TypeOf<OptionsValidationException>().With.Message.Contains("Deployment 'instant'").And.Message.Contains("Timeout"));
    }
}
