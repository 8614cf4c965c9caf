namespace SecretsBroker.Core.Outcomes;

/// <summary>Every stable error code the broker answers with. Once published, a code never changes meaning.</summary>
public static class ErrorCodes
{
    public const string MalformedJson = "malformed_json";
    public const string MalformedForm = "malformed_form";

    /// <summary>A field given twice in one object or form; the message names the field, never a value.</summary>
    public const string DuplicateField = "duplicate_field";
    public const string UnknownField = "unknown_field";
    public const string InvalidBody = "invalid_body";
    public const string MissingField = "missing_field";
    public const string InvalidField = "invalid_field";
    public const string BodyTooLarge = "body_too_large";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string InvalidName = "invalid_name";
    public const string NameTooLong = "name_too_long";
    public const string InvalidQuery = "invalid_query";

    /// <summary>A request the broker could not read that no more specific code describes.</summary>
    public const string InvalidRequest = "invalid_request";

    public const string Unauthenticated = "unauthenticated";
    public const string InsufficientScope = "insufficient_scope";
    public const string BrokerSealed = "broker_sealed";
    public const string NotFound = "not_found";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string Internal = "internal_error";

    public const string SecretNotFound = "secret_not_found";
    public const string UnknownSecretType = "unknown_secret_type";
    public const string SecretNotRotatable = "secret_not_rotatable";
    public const string RotationFailed = "rotation_failed";
    /// <summary>A root secret's credential lacks a privilege the broker needs at its target; the message names it.</summary>
    public const string AdminPrivilegesMissing = "admin_privileges_missing";
    public const string TokenNotFound = "token_not_found";
    public const string InvalidScope = "invalid_scope";
    public const string InvalidTtl = "invalid_ttl";

    public const string PolicyDenied = "policy_denied";
    public const string RunMismatch = "run_mismatch";

    /// <summary>A CI platform's webhook reported the run (or job) finished after the caller's token was issued.</summary>
    public const string RunCompleted = "run_completed";
    public const string HookUnauthenticated = "hook_unauthenticated";
    public const string HookNotConfigured = "hook_not_configured";
    public const string InvalidHookEvent = "invalid_hook_event";
    public const string LeaseNotFound = "lease_not_found";
    public const string LeaseNotActive = "lease_not_active";
    public const string LeaseNotRenewable = "lease_not_renewable";
    public const string NotLeaseOwner = "not_lease_owner";
    public const string ProviderUnavailable = "provider_unavailable";
    public const string ProviderFailed = "provider_failed";
    public const string RequestInProgress = "request_in_progress";
    public const string IdentityBlocked = "identity_blocked";
    public const string InvalidSelector = "invalid_selector";
    public const string UnknownIssuer = "unknown_issuer";
    public const string BlockNotFound = "block_not_found";
    public const string RevocationNotFound = "revocation_not_found";
    /// <summary>A CI platform's OIDC token was refused; the message starts with the specific reason (e.g. <c>expired:</c>).</summary>
    public const string WorkloadTokenInvalid = "workload_token_invalid";

    public const string BreakGlassNotAllowed = "break_glass_not_allowed";
    public const string BreakGlassNotRenewable = "break_glass_not_renewable";
    public const string JustificationTooShort = "justification_too_short";
    public const string JustificationTooLong = "justification_too_long";
    public const string NotRequester = "not_requester";
    public const string PersonRequired = "person_required";
    public const string AlreadyCollected = "already_collected";
    public const string IncidentRequired = "incident_required";

    public const string BackupNotSupported = "backup_not_supported";
    public const string InvalidIncident = "invalid_incident";
    public const string BreakGlassRequestNotFound = "break_glass_request_not_found";
    public const string BreakGlassRequestExpired = "break_glass_request_expired";
    public const string BreakGlassRequestNotPending = "break_glass_request_not_pending";
    public const string SelfApprovalRefused = "self_approval_refused";
    public const string SelfReviewRefused = "self_review_refused";
    public const string BreakGlassNotIssued = "break_glass_not_issued";
    public const string AlreadyReviewed = "already_reviewed";
}
