using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.Tests.Support;

internal static class Requests
{
    public static RuntimeRequest Valid(string prompt = "Where is order A-1?", params string[] tools) => new()
    {
        Identity = SampleTools.Identity(SampleTools.AgentRoles),
        Task = new AgentTask { Prompt = prompt },
        AllowedTools = tools,
    };
}
