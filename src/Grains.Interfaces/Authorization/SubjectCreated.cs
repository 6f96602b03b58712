namespace Nocturne.Grains.Interfaces.Authorization;

[GenerateSerializer, Immutable, Alias("nocturne.SubjectCreated")]
public sealed record SubjectCreated([property: Id(0)] AuthSubject Subject, [property: Id(1)] string AccessToken)
{
    public override string ToString() => $"SubjectCreated({Subject.Name})";
}
