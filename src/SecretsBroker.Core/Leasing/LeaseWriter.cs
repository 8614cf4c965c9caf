using System.Security.Cryptography;

namespace SecretsBroker.Core.Leasing;

/// <summary>
/// The broker process that writes leases ahead: <see cref="Node"/> names its data folder and is kept
/// across restarts, <see cref="Incarnation"/> is new at every start. Only one broker process uses a
/// data folder at a time (it holds the folder's lock while it runs), so a node has one incarnation
/// alive at most, and an <c>issuing</c> lease written by another incarnation of the same node was left
/// by a process that has ended: nothing can activate it any more.
/// </summary>
public sealed record LeaseWriter(string Node, string Incarnation)
{
    /// <summary>A new start of <paramref name="node"/>.</summary>
    public static LeaseWriter StartOn(string node) => new(node, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
}
