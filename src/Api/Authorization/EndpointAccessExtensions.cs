namespace Nocturne.Api.Authorization;

public static class EndpointAccessExtensions
{
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission, params string[] alsoRequired) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new EndpointAccess.Permission(permission, alsoRequired));

    /// <summary>Needs <paramref name="permission"/> or, instead, <paramref name="orInstead"/>.</summary>
    public static TBuilder RequireEitherPermission<TBuilder>(this TBuilder builder, string permission, string orInstead) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new EndpointAccess.Permission(permission) { OrInstead = orInstead });

    public static TBuilder PublicOnSite<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new EndpointAccess.PublicOnSite());

    public static TBuilder Infrastructure<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new EndpointAccess.Infrastructure());

    public static TBuilder OperatorOnly<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new EndpointAccess.Operator());
}
