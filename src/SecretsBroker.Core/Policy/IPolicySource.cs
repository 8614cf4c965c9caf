namespace SecretsBroker.Core.Policy;

/// <summary>The policy in force: the last file that loaded without error.</summary>
public interface IPolicySource
{
    PolicyDocument Current { get; }
}
