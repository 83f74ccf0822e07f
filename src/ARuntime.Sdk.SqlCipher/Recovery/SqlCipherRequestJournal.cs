using System.Runtime.CompilerServices;
using ARuntime.Sdk.Contracts;
using ARuntime.Sdk.Recovery;
using ARuntime.Sdk.SqlCipher.Storage;
using Microsoft.Data.Sqlite;

namespace ARuntime.Sdk.SqlCipher.Recovery;

/// <summary>
/// The request journal on SQLCipher, beside the evidence: where each request stands, committed through the group-commit
/// writer, so requests a crashed process was running are found on restart (<see cref="ListRunningAsync"/>).
/// </summary>
public sealed class SqlCipherRequestJournal : IRequestJournal
{
    private const string Columns = "tenant_id, request_id, actor_id, state, final_status, stage, approval_id, started_ticks, updated_ticks, idempotency_key";

    private readonly StoreServices services;

    internal SqlCipherRequestJournal(StoreServices services)
    {
        this.services = services;
    }

    /// <inheritdoc />
    public async ValueTask UpsertAsync(RequestJournalEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        StoreServices.ValidateTenant(entry.TenantId, nameof(entry));
        ArgumentException.ThrowIfNullOrWhiteSpace(entry.RequestId, nameof(entry));
        ArgumentNullException.ThrowIfNull(entry.ActorId, nameof(entry));
        if (!Enum.IsDefined(entry.State) || (entry.FinalStatus is { } status && !Enum.IsDefined(status)) || (entry.Stage is { } stage && !Enum.IsDefined(stage)))
        {
            throw new ArgumentException("The journal entry has an undefined State, FinalStatus or Stage.", nameof(entry));
        }

        await services.Writer.ExecuteAsync(
            context =>
            {
                using var command = context.Connection.Command($"INSERT OR REPLACE INTO request_journal({Columns}) VALUES ($t, $r, $a, $s, $f, $g, $p, $b, $u, $k)")
                    .With("$t", entry.TenantId).With("$r", entry.RequestId).With("$a", entry.ActorId).With("$s", (int)entry.State)
                    .With("$f", entry.FinalStatus?.ToString()).With("$g", entry.Stage is { } g ? (int)g : null).With("$p", entry.ApprovalId)
                    .With("$b", entry.StartedAt.UtcTicks).With("$u", entry.UpdatedAt.UtcTicks).With("$k", entry.IdempotencyKey);
                return command.ExecuteNonQuery();
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<RequestJournalEntry?> GetAsync(string tenantId, string requestId, CancellationToken cancellationToken = default)
    {
        StoreServices.ValidateTenant(tenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(requestId);
        using var lease = await services.Readers.RentAsync(cancellationToken).ConfigureAwait(false);
        using var command = lease.Connection.Command($"SELECT {Columns} FROM request_journal WHERE tenant_id = $t AND request_id = $r").With("$t", tenantId).With("$r", requestId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RequestJournalEntry> ListRunningAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var running = new List<RequestJournalEntry>();
        using (var lease = await services.Readers.RentAsync(cancellationToken).ConfigureAwait(false))
        {
            using var command = lease.Connection.Command($"SELECT {Columns} FROM request_journal WHERE state = $s ORDER BY started_ticks, tenant_id, request_id").With("$s", (int)RequestState.Running);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                running.Add(Read(reader));
            }
        }

        foreach (var entry in running)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }
    }

    private static RequestJournalEntry Read(SqliteDataReader reader) => new()
    {
        TenantId = reader.GetString(0),
        RequestId = reader.GetString(1),
        ActorId = reader.GetString(2),
        State = (RequestState)reader.GetInt32(3),
        FinalStatus = reader.GetNullableString(4) is { } status ? Enum.Parse<AgentRunStatus>(status) : null,
        Stage = reader.GetNullableInt64(5) is { } stage ? (LifecycleStage)stage : null,
        ApprovalId = reader.GetNullableString(6),
        StartedAt = new DateTimeOffset(reader.GetInt64(7), TimeSpan.Zero),
        UpdatedAt = new DateTimeOffset(reader.GetInt64(8), TimeSpan.Zero),
        IdempotencyKey = reader.GetNullableString(9),
    };
}
