namespace Tracker.Api.Security;

/// <summary>Configuration section "Auth".</summary>
public sealed class AuthOptions
{
    /// <summary>Anyone may read the public progress models (progress, pledgers, dashboard, documents). Never writes.</summary>
    public bool AnonymousReads { get; set; }

    /// <summary>Accept the documented demo keys (Development only: any other environment refuses to start with them).</summary>
    public bool DemoKeys { get; set; }

    /// <summary>A key accepted as an admin key, for first start and automation (environment Auth__BootstrapAdminKey).</summary>
    public string? BootstrapAdminKey { get; set; }

    public JwtOptions Jwt { get; set; } = new();
}

/// <summary>JWT bearer tokens from an identity provider: its Authority (discovery), or an issuer, audience and signing key.</summary>
public sealed class JwtOptions
{
    public string? Authority { get; set; }
    public string? Issuer { get; set; }
    public string? Audience { get; set; }
    public string? SigningKey { get; set; }
}
