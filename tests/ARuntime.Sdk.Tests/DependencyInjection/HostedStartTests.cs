using ARuntime.Sdk.Recovery;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace ARuntime.Sdk.Tests.DependencyInjection;

/// <summary>In a generic host the runtime starts with the host, not with its first request.</summary>
public sealed class HostedStartTests
{
    [Test]
    public async Task Starting_the_host_records_requests_a_stopped_process_left_running_before_any_request()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 8, 0, 0, TimeSpan.Zero));
        var journal = new InMemoryRequestJournal();
        await journal.UpsertAsync(new RequestJournalEntry
        {
            RequestId = "req-left-running",
            TenantId = "acme",
            ActorId = "u1",
            State = RequestState.Running,
            StartedAt = time.GetUtcNow().AddMinutes(-5),
            UpdatedAt = time.GetUtcNow().AddMinutes(-5),
        });
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IRequestJournal>(journal);
        services.AddARuntime(o => o.AgentName = "hosted").UseInMemoryEvidence();
        await using var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().ToList();
        var before = (await journal.GetAsync("acme", "req-left-running"))!.State;

        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        var after = await journal.GetAsync("acme", "req-left-running");
        Assert.Multiple(() =>
        {
            Assert.That(hosted, Has.Count.EqualTo(1));
            Assert.That(before, Is.EqualTo(RequestState.Running), "creating the services alone recovers nothing");
            Assert.That(after!.State, Is.EqualTo(RequestState.Interrupted));
        });
    }

    [Test]
    public void Starting_the_host_validates_the_options()
    {
        var services = new ServiceCollection();
        services.AddARuntime(o => o.AgentName = "hosted");
        using var provider = services.BuildServiceProvider();

        Assert.That(() => provider.GetServices<IHostedService>().ToList(), Throws.InstanceOf<Microsoft.Extensions.Options.OptionsValidationException>().With.Message.Contains("No evidence sink"));
    }
}
