namespace SecretsBroker.Core.Leasing;

/// <summary>What <see cref="ILeaseStore.InsertAsync"/> did with a new lease.</summary>
public enum LeaseInsert
{
    Inserted,

    /// <summary>Another request with the same idempotency key committed first.</summary>
    KeyTaken,

    /// <summary>A CI platform reported the lease's run or job finished at or after its token was issued.</summary>
    RunCompleted,
}
