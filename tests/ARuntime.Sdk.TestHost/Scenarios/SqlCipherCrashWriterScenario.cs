using System.Globalization;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Evidence;
using ARuntime.Sdk.SqlCipher;
using ARuntime.Sdk.SqlCipher.Keys;

namespace ARuntime.Sdk.TestHost.Scenarios;

/// <summary>
/// Writes evidence as fast as it can from several writers until it is killed. Each writer writes records
/// <c>w&lt;writer&gt;-&lt;seq&gt;</c> in order and prints <c>COMMITTED &lt;writer&gt; &lt;seq&gt;</c> after a durable write of
/// <c>seq</c> returned, so the parent knows which records were acknowledged durable before it sent SIGKILL.
/// Arguments: database path, key (64 hex), number of writers.
/// </summary>
internal sealed class SqlCipherCrashWriterScenario : IChildProcessScenario
{
    public string Name => "sqlcipher-crash-writer";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var writers = int.Parse(args[2], CultureInfo.InvariantCulture);
        using var key = StoreKey.FromHex(args[1]);
        await using var store = await SqlCipherStore.OpenAsync(new SqlCipherStoreOptions
        {
            DatabasePath = args[0],
            KeyProvider = StoreKeyProvider.FromKey(key),
            CheckpointEveryRecords = 500,
        }, cancellationToken: cancellationToken);
        Console.WriteLine("READY");

        // A safety stop: the parent kills the process long before this.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(TimeSpan.FromMinutes(3));
        var padding = new string('x', 300);
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var seq = 0; !stop.IsCancellationRequested; seq++)
            {
                var record = new EvidenceRecord
                {
                    RecordId = string.Create(CultureInfo.InvariantCulture, $"w{w}-{seq:D8}"),
                    RequestId = string.Create(CultureInfo.InvariantCulture, $"req-{w}-{seq / 10}"),
                    TenantId = "crash",
                    Sequence = (seq % 10) + 1,
                    Stage = LifecycleStage.ToolExecution,
                    Kind = "tool.call",
                    Outcome = StageOutcome.Completed,
                    Timestamp = DateTimeOffset.UtcNow,
                    Attributes = new Dictionary<string, string> { ["padding"] = padding },
                };

                // Every write is durable: the line below is printed only after COMMIT returned.
                await store.Evidence.WriteAsync(record, EvidenceDurability.Durable, CancellationToken.None);
                if (seq % 20 == 0)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"COMMITTED {w} {seq}"));
                }
            }
        })));
        return 0;
    }
}
