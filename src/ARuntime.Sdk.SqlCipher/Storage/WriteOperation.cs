namespace ARuntime.Sdk.SqlCipher.Storage;

/// <summary>
/// One unit of work for the single writer. Operations of a batch share one transaction (group commit); when one fails,
/// the transaction is rolled back and the batch replayed without it, so the others still commit.
/// </summary>
internal abstract class WriteOperation
{
    /// <summary>Gets whether the operation must run alone, outside any transaction (rekey, checkpointing the WAL, vacuum, backup).</summary>
    public virtual bool Exclusive => false;

    /// <summary>Gets the failure recorded for this operation in the current batch, if any.</summary>
    public Exception? Failure { get; set; }

    /// <summary>Runs the operation.</summary>
    public abstract void Execute(WriteContext context);

    /// <summary>Called once the batch committed (never for a failed operation).</summary>
    public abstract void Complete();

    /// <summary>Called when the operation failed (its own fault, or after its batch committed, the flush of the WAL).</summary>
    public abstract void Fail(Exception error);

    /// <summary>
    /// Called when the operation itself was fine but its batch could not be committed (the database failed): nothing of it
    /// is in the database, so its work may be retried.
    /// </summary>
    public virtual void NotCommitted(Exception error) => Fail(error);
}
