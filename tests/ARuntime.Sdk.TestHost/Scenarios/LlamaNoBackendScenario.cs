using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.LlamaSharp;
using ARuntime.Sdk.Testing.Gguf;
using LLama.Native;
using Microsoft.Extensions.DependencyInjection;

namespace ARuntime.Sdk.TestHost.Scenarios;

/// <summary>
/// <c>llama-no-backend</c>: a process whose llama.cpp native library cannot be loaded (LLamaSharp is pointed at a library
/// that does not exist, as for a host that references no backend package). Loads an engine twice and runs a request
/// through the runtime; prints <c>LOAD &lt;exception type&gt; &lt;message&gt;</c> per attempt and <c>RUN &lt;status&gt; &lt;error code&gt;</c>.
/// Exits 0: the process must survive.
/// </summary>
internal sealed class LlamaNoBackendScenario : IChildProcessScenario
{
    public string Name => "llama-no-backend";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        NativeLibraryConfig.All.WithLibrary("/nonexistent/libllama.so", "/nonexistent/libmtmd.so").WithAutoFallback(false);
        var model = TestModels.GetSynthetic(SyntheticModelSpec.Tiny);

        for (var attempt = 0; attempt < 2; attempt++)
        {
            await using var engine = new LlamaSharpEngine(new LlamaSharpEngineOptions { ModelPath = model });
            try
            {
                await engine.LoadAsync(cancellationToken: cancellationToken);
                Console.WriteLine("LOAD none loaded");
            }
#pragma warning disable CA1031 // The scenario reports whatever was thrown.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Console.WriteLine($"LOAD {ex.GetType().Name} {ex.Message.ReplaceLineEndings(" ")}");
            }
        }

        var services = new ServiceCollection();
        services.AddARuntime(o => o.AgentName = "no-backend")
            .UseLlamaSharp("local", o => o.ModelPath = model)
            .UseInMemoryEvidence();
        await using var provider = services.BuildServiceProvider();
        var result = await provider.GetRequiredService<IAgentRuntime>().RunAsync(
            new RuntimeRequest
            {
                Identity = new RequestIdentity { TenantId = "t1", Actor = new ActorIdentity { Id = "alice" } },
                Task = new AgentTask { Prompt = "Hello" },
            },
            cancellationToken);
        Console.WriteLine($"RUN {result.Status} {result.Error?.Code} {result.Error?.Message.ReplaceLineEndings(" ")}");
        return 0;
    }
}
