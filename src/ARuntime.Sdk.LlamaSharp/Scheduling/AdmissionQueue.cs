namespace ARuntime.Sdk.LlamaSharp.Scheduling;

/// <summary>
/// The requests waiting for a sequence slot: bounded, fair and deadline-aware. Each tenant (else request) has its own
/// queue ordered by deadline (earliest first, arrival order among equals and for requests without one); tenants are
/// served round-robin, so one tenant's burst cannot starve another. Paused (preempted) sequences wait in a separate
/// queue that is served first and never counts against the bound. Thread-safe.
/// </summary>
internal sealed class AdmissionQueue
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, LinkedList<InferenceJob>> byTenant = new(StringComparer.Ordinal);
    private readonly LinkedList<string> rotation = new();
    private readonly LinkedList<InferenceJob> resumed = new();
    private int waiting;

    /// <summary>Gets the number of waiting requests (paused sequences excluded).</summary>
    public int Count => Volatile.Read(ref waiting);

    /// <summary>Gets the number of paused sequences waiting to resume.</summary>
    public int ResumedCount
    {
        get
        {
            lock (gate)
            {
                return resumed.Count;
            }
        }
    }

    /// <summary>Adds a request unless <paramref name="capacity"/> requests already wait.</summary>
    /// <param name="job">The request.</param>
    /// <param name="capacity">The bound.</param>
    /// <returns>Whether it was added.</returns>
    public bool TryEnqueue(InferenceJob job, int capacity)
    {
        lock (gate)
        {
            if (waiting >= capacity)
            {
                return false;
            }

            if (!byTenant.TryGetValue(job.TenantKey, out var queue))
            {
                queue = new LinkedList<InferenceJob>();
                byTenant[job.TenantKey] = queue;
                rotation.AddLast(job.TenantKey);
            }

            InsertByDeadline(queue, job);
            waiting++;
            return true;
        }
    }

    /// <summary>Adds a paused sequence to resume before any new request.</summary>
    /// <param name="job">The job.</param>
    public void EnqueueResumed(InferenceJob job)
    {
        lock (gate)
        {
            resumed.AddLast(job);
        }
    }

    /// <summary>Takes the next job in fair order if <paramref name="fits"/> accepts it; otherwise leaves it first in line.</summary>
    /// <param name="fits">Whether the job can be admitted now.</param>
    /// <param name="rejected">The next job when it did not fit, for the caller to decide on.</param>
    /// <returns>The job, or <see langword="null"/>.</returns>
    public InferenceJob? TryDequeue(Func<InferenceJob, bool> fits, out InferenceJob? rejected)
    {
        rejected = null;
        lock (gate)
        {
            if (resumed.First is { } first)
            {
                if (!fits(first.Value))
                {
                    rejected = first.Value;
                    return null;
                }

                resumed.RemoveFirst();
                return first.Value;
            }

            if (rotation.First is not { } tenantNode)
            {
                return null;
            }

            var queue = byTenant[tenantNode.Value];
            var job = queue.First!.Value;
            if (!fits(job))
            {
                rejected = job;
                return null;
            }

            queue.RemoveFirst();
            waiting--;
            rotation.RemoveFirst();
            if (queue.Count > 0)
            {
                rotation.AddLast(tenantNode);
            }
            else
            {
                byTenant.Remove(tenantNode.Value);
            }

            return job;
        }
    }

    /// <summary>Removes and returns every job matching <paramref name="predicate"/>.</summary>
    /// <param name="predicate">The condition.</param>
    /// <returns>The removed jobs.</returns>
    public List<InferenceJob> RemoveWhere(Func<InferenceJob, bool> predicate)
    {
        var removed = new List<InferenceJob>();
        lock (gate)
        {
            RemoveFrom(resumed, predicate, removed);
            foreach (var tenant in rotation.ToList())
            {
                var queue = byTenant[tenant];
                var before = removed.Count;
                RemoveFrom(queue, predicate, removed);
                waiting -= removed.Count - before;
                if (queue.Count == 0)
                {
                    byTenant.Remove(tenant);
                    rotation.Remove(tenant);
                }
            }
        }

        return removed;
    }

    private static void RemoveFrom(LinkedList<InferenceJob> list, Func<InferenceJob, bool> predicate, List<InferenceJob> removed)
    {
        var node = list.First;
        while (node is not null)
        {
            var next = node.Next;
            if (predicate(node.Value))
            {
                list.Remove(node);
                removed.Add(node.Value);
            }

            node = next;
        }
    }

    private static void InsertByDeadline(LinkedList<InferenceJob> queue, InferenceJob job)
    {
        if (job.Deadline is not { } deadline)
        {
            queue.AddLast(job);
            return;
        }

        // Walk back past jobs with later (or no) deadlines; arrival order is kept among equal deadlines.
        var node = queue.Last;
        while (node is not null && (node.Value.Deadline is null || node.Value.Deadline > deadline))
        {
            node = node.Previous;
        }

        if (node is null)
        {
            queue.AddFirst(job);
        }
        else
        {
            queue.AddAfter(node, job);
        }
    }
}
