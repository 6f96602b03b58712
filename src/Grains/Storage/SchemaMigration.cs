namespace Nocturne.Grains.Storage;

/// <summary>One numbered script from deploy/sql, e.g. <c>0001_orleans_contract.sql</c>.</summary>
public sealed record SchemaMigration(int Version, string Name, string Sql);
