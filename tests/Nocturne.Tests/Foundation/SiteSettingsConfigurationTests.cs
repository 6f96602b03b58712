using Microsoft.Extensions.Configuration;
using Nocturne.Api.Configuration;

namespace Nocturne.Tests.Foundation;

public sealed class SiteSettingsConfigurationTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void DefaultsAreNightscoutDefaults()
    {
        var settings = SiteSettingsConfiguration.FromConfiguration(Config());
        Assert.Equal("mg/dl", settings.Units);
        Assert.Equal(["readable"], settings.AuthDefaultRoles);
        Assert.Equal((260, 180, 80, 55), (settings.Thresholds.BgHigh, settings.Thresholds.BgTargetTop, settings.Thresholds.BgTargetBottom, settings.Thresholds.BgLow));
        Assert.Contains("careportal", settings.Enable);
    }

    [Theory]
    [InlineData("mmol", "mmol")]
    [InlineData("mmol/L", "mmol")]
    [InlineData("mg/dl", "mg/dl")]
    public void DisplayUnitsAreNormalised(string input, string expected) =>
        Assert.Equal(expected, SiteSettingsConfiguration.FromConfiguration(Config(("DISPLAY_UNITS", input))).Units);

    [Fact]
    public void ListsSplitOnSpacesCommasAndColonsLikeNightscout()
    {
        var settings = SiteSettingsConfiguration.FromConfiguration(Config(("ENABLE", "iob cob,pump:loop"), ("AUTH_DEFAULT_ROLES", "readable, devicestatus-upload")));
        Assert.Equal(["readable", "devicestatus-upload"], settings.AuthDefaultRoles);
        Assert.Equal(["iob", "cob", "pump", "loop"], settings.Enable.Take(4));
    }

    [Fact]
    public void DeviceAlarmSettingsAreReadOnlyForEnabledPluginsAsInTheReference()
    {
        var settings = SiteSettingsConfiguration.FromConfiguration(Config(
            ("ENABLE", "pump loop"), ("PUMP_ENABLE_ALERTS", "true"), ("PUMP_WARN_RES", "20"), ("PUMP_URGENT_BATT_V", "1.25"),
            ("LOOP_ENABLE_ALERTS", "on"), ("LOOP_URGENT", "90"), ("OPENAPS_ENABLE_ALERTS", "true"), ("UPBAT_ENABLE_ALERTS", "true"), ("UPBAT_WARN", "40")));
        var alarms = settings.DeviceAlarms;
        Assert.True(alarms.PumpEnableAlerts);
        Assert.Equal((20, 5, 1.25, 30), (alarms.PumpWarnRes, alarms.PumpUrgentRes, alarms.PumpUrgentBattV, alarms.PumpWarnClock));
        Assert.True(alarms.LoopEnableAlerts);
        Assert.Equal((30, 90), (alarms.LoopWarn, alarms.LoopUrgent));

        // openaps is not enabled, so its settings are not read; upbat is a default feature, so they are.
        Assert.False(alarms.OpenapsEnableAlerts);
        Assert.True(alarms.UpbatEnableAlerts);
        Assert.Equal(40, alarms.UpbatWarn);
        Assert.False(SiteSettingsConfiguration.FromConfiguration(Config()).DeviceAlarms.PumpEnableAlerts);
        Assert.Throws<InvalidOperationException>(() => SiteSettingsConfiguration.FromConfiguration(Config(("ENABLE", "pump"), ("PUMP_WARN_RES", "ten"))));
    }

    [Fact]
    public void TheEnableListIsBuiltAsTheReferenceBuildsIt()
    {
        var defaults = SiteSettingsConfiguration.FromConfiguration(Config());
        Assert.Equal([.. NightscoutCompatibility.DefaultFeatures, "ar2"], defaults.Enable);
        Assert.Equal(["predict"], defaults.AlarmTypes);

        var withCareportal = SiteSettingsConfiguration.FromConfiguration(Config(("ENABLE", "careportal iob"), ("DISABLE", "dbsize")));
        Assert.Equal(["careportal", "iob", "treatmentnotify"], withCareportal.Enable.Take(3));
        Assert.DoesNotContain("dbsize", withCareportal.Enable);
        Assert.Contains("ar2", withCareportal.Enable);

        // Thresholds set by hand mean simple alarms instead of the forecast's.
        var simple = SiteSettingsConfiguration.FromConfiguration(Config(("BG_HIGH", "250")));
        Assert.Equal(["simple"], simple.AlarmTypes);
        Assert.Contains("simplealarms", simple.Enable);
        Assert.DoesNotContain("ar2", simple.Enable);
    }

    [Theory]
    [InlineData("DISPLAY_UNITS", "stones")]
    [InlineData("BG_HIGH", "high")]
    [InlineData("BG_LOW", "200")]
    [InlineData("NIGHT_MODE", "maybe")]
    public void BadValuesStopStartUpWithTheVariableNamed(string key, string value)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => SiteSettingsConfiguration.FromConfiguration(Config((key, value))));
        Assert.Contains(key, ex.Message);
    }
}
