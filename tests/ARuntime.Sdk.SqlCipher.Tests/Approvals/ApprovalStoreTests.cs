using System.Text;
using System.Text.Json;
using ARuntime.Sdk.Approvals;
using ARuntime.Sdk.Contracts;

namespace ARuntime.Sdk.SqlCipher.Tests.Approvals;

public sealed class ApprovalStoreTests
{
    internal static PausedRequest Paused(string tenantId, string approvalId, DateTimeOffset now, TimeSpan? lifetime = null) => new()
    {
        CheckpointFormat = "aruntime-checkpoint/1",
        Checkpoint = Encoding.UTF8.GetBytes("{\"messages\":[\"transfer 100 EUR to Bob\"]}"),
        Ticket = new ApprovalTicket
        {
            ApprovalId = approvalId,
            RequestId = "req-" + approvalId,
            TenantId = tenantId,
            RequestedBy = "alice",
            CallId = "call-1",
            ToolName = "transfer",
            ToolVersion = "1.0",
            Arguments = JsonDocument.Parse("{\"amount\":100}").RootElement,
            PolicyVersion = "p-1",
            Requirement = new ApprovalRequirement(),
            CreatedAt = now,
            ExpiresAt = now + (lifetime ?? TimeSpan.FromHours(1)),
        },
    };

    [Test]
    public async Task A_paused_request_survives_a_restart_and_is_claimed_exactly_once()
    {
        await using var test = await TestStore.OpenAsync();
        await test.Store.Approvals.SaveAsync(Paused("t", "ap-1", test.Time.GetUtcNow()));
        await test.ReopenAsync();

        var pending = await test.Store.Approvals.ListPendingAsync("t").ToListAsync();
        var read = await test.Store.Approvals.GetAsync("t", "ap-1");
        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => test.Store.Approvals.TryClaimAsync("t", "ap-1").AsTask()));

        Assert.Multiple(async () =>
        {
            Assert.That(pending.Select(p => p.ApprovalId), Is.EqualTo(new[] { "ap-1" }));
            Assert.That(Encoding.UTF8.GetString(read!.Checkpoint.Span), Does.Contain("transfer 100 EUR"));
            Assert.That(read.Ticket.Arguments.GetProperty("amount").GetInt32(), Is.EqualTo(100));
            Assert.That(claims.Count(c => c is not null), Is.EqualTo(1));
            Assert.That(await test.Store.Approvals.GetAsync("t", "ap-1"), Is.Null, "a claimed approval is no longer pending");
            Assert.That(await test.Store.Approvals.ListPendingAsync("t").CountAsync(), Is.Zero);
        });
    }

    [Test]
    public async Task Expired_unclaimed_tickets_of_every_tenant_are_listed_for_the_sweep_oldest_first()
    {
        await using var test = await TestStore.OpenAsync();
        var now = test.Time.GetUtcNow();
        await test.Store.Approvals.SaveAsync(Paused("t1", "late", now, TimeSpan.FromMinutes(30)));
        await test.Store.Approvals.SaveAsync(Paused("t2", "early", now, TimeSpan.FromMinutes(10)));
        await test.Store.Approvals.SaveAsync(Paused("t1", "future", now, TimeSpan.FromHours(5)));
        await test.Store.Approvals.SaveAsync(Paused("t2", "claimed", now, TimeSpan.FromMinutes(1)));
        await test.Store.Approvals.TryClaimAsync("t2", "claimed");
        await test.ReopenAsync();

        var expired = await test.Store.Approvals.ListExpiredAsync(now + TimeSpan.FromHours(1)).ToListAsync();

        Assert.Multiple(() =>
        {
            Assert.That(expired.Select(e => (e.TenantId, e.ApprovalId)), Is.EqualTo(new[] { ("t2", "early"), ("t1", "late") }));
            Assert.That(expired.Select(e => e.RequestId), Is.EqualTo(new[] { "req-early", "req-late" }));
            Assert.That(expired.Select(e => e.ExpiresAt), Is.EqualTo(new[] { now + TimeSpan.FromMinutes(10), now + TimeSpan.FromMinutes(30) }));
        });
    }

    [Test]
    public async Task The_purge_removes_claimed_paused_requests_but_never_one_nobody_has_ended()
    {
        await using var test = await TestStore.OpenAsync();
        var now = test.Time.GetUtcNow();
        await test.Store.Approvals.SaveAsync(Paused("t", "resumed", now, TimeSpan.FromMinutes(5)));
        await test.Store.Approvals.SaveAsync(Paused("t", "abandoned", now, TimeSpan.FromMinutes(5)));
        await test.Store.Approvals.TryClaimAsync("t", "resumed");
        test.Time.Advance(test.Options.Retention.Transient + TimeSpan.FromHours(1));

        var purge = await test.Store.PurgeExpiredAsync();

        var expired = await test.Store.Approvals.ListExpiredAsync(test.Time.GetUtcNow()).ToListAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(purge.PausedRequests, Is.EqualTo(1));
            Assert.That(expired.Select(e => e.ApprovalId), Is.EqualTo(new[] { "abandoned" }), "still there for the expiry sweep to end");
            Assert.That(await test.Store.Approvals.TryClaimAsync("t", "abandoned"), Is.Not.Null);
        });
    }

    [Test]
    public async Task A_paused_request_whose_seal_is_damaged_is_not_claimed_and_stays_pending()
    {
        await using var test = await TestStore.OpenAsync();
        await test.Store.Approvals.SaveAsync(Paused("t", "damaged", test.Time.GetUtcNow(), TimeSpan.FromMinutes(5)));
        await test.CloseAsync();
        using (var raw = test.OpenRaw())
        {
            // Flip a bit of the last byte (part of the AES-GCM tag) of the sealed paused request.
            using var read = raw.CreateCommand();
            read.CommandText = "SELECT sealed FROM paused_request WHERE approval_id = 'damaged'";
            var sealedRequest = (byte[])read.ExecuteScalar()!;
            sealedRequest[^1] ^= 0x01;
            using var write = raw.CreateCommand();
            write.CommandText = "UPDATE paused_request SET sealed = $s WHERE approval_id = 'damaged'";
            write.Parameters.AddWithValue("$s", sealedRequest);
            Assert.That(write.ExecuteNonQuery(), Is.EqualTo(1));
        }

        await test.ReopenAsync();
        test.Time.Advance(TimeSpan.FromMinutes(10));

        Assert.That(async () => await test.Store.Approvals.TryClaimAsync("t", "damaged"), Throws.InstanceOf<Exception>());
        var expired = await test.Store.Approvals.ListExpiredAsync(test.Time.GetUtcNow()).ToListAsync();
        Assert.That(expired.Select(e => e.ApprovalId), Is.EqualTo(new[] { "damaged" }), "not claimed: still there to be dealt with, not silently gone");
    }

    [Test]
    public async Task The_expiry_listing_reads_an_index_not_the_sealed_rows()
    {
        await using var test = await TestStore.OpenAsync();
        await test.CloseAsync();
        using var raw = test.OpenRaw();
        using var command = raw.CreateCommand();

        // The statement SqlCipherApprovalStore.ListExpiredAsync runs, as the query planner sees it.
        command.CommandText = "EXPLAIN QUERY PLAN SELECT tenant_id, approval_id, request_id, expires_ticks FROM paused_request WHERE claimed = 0 AND expires_ticks <= 5 ORDER BY expires_ticks, tenant_id, approval_id";
        var plan = new List<string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                plan.Add(reader.GetString(3));
            }
        }

        Assert.That(plan, Has.Some.Contains("COVERING INDEX paused_request_by_expiry"), string.Join(" | ", plan));
    }

    [Test]
    public async Task Expired_tickets_are_not_listed_as_pending()
    {
        await using var test = await TestStore.OpenAsync();
        await test.Store.Approvals.SaveAsync(Paused("t", "short", test.Time.GetUtcNow(), TimeSpan.FromMinutes(5)));
        await test.Store.Approvals.SaveAsync(Paused("t", "long", test.Time.GetUtcNow(), TimeSpan.FromHours(5)));
        test.Time.Advance(TimeSpan.FromMinutes(10));

        Assert.That((await test.Store.Approvals.ListPendingAsync("t").ToListAsync()).Select(t => t.ApprovalId), Is.EqualTo(new[] { "long" }));
    }
}
