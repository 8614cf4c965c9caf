namespace SecretsBroker.Core.Naming;

/// <summary>
/// Free text that must stay one line (a justification, a reason, an OIDC subject): any character but
/// control characters and line or paragraph separators, so that "x\n" never passes for "x" and no
/// value can start a line of its own in the audit trail, an alert or a terminal.
/// </summary>
public static class SingleLine
{
    public static bool IsSingleLine(string value) => !value.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029');
}
