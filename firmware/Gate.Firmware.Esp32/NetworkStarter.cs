using System;
using System.Threading;
using Gate.Firmware.Config;
using nanoFramework.Networking;

namespace Gate.Firmware.Esp32
{
    /// <summary>
    /// Brings the network up on its own thread (Wi-Fi with WifiNetworkHelper.ConnectDhcp, or Ethernet with
    /// NetworkHelper.SetupAndConnectNetwork), retrying every 30 s, and starts SNTP. The controller runs
    /// meanwhile: inputs, latches and the outbox never wait for the network.
    /// </summary>
    public sealed class NetworkStarter
    {
        private readonly DeviceConfig _config;
        private readonly string _kind;
        private bool _up;

        public NetworkStarter(DeviceConfig config, BoardPins pins)
        {
            _config = config;
            _kind = config.Network != null ? config.Network : (pins.Board == "olimex-esp32-poe-iso" ? "ethernet" : "wifi");
        }

        /// <summary>True once SNTP has set the clock (any year before 2024 is the RTC's reset value).</summary>
        public bool ClockIsSet
        {
            get { return DateTime.UtcNow.Year >= 2024; }
        }

        /// <summary>Wi-Fi signal for the heartbeat; nanoFramework reports it only with a scan, so 0 (unknown) here.</summary>
        public int Rssi
        {
            get { return 0; }
        }

        public void Start()
        {
            new Thread(Run).Start();
        }

        private void Run()
        {
            while (!_up)
            {
                try
                {
                    CancellationTokenSource cts = new CancellationTokenSource(60000);
                    if (_kind == "ethernet")
                    {
                        _up = NetworkHelper.SetupAndConnectNetwork(cts.Token, false);
                    }
                    else
                    {
                        _up = WifiNetworkHelper.ConnectDhcp(_config.WifiSsid, _config.WifiPassword, System.Device.Wifi.WifiReconnectionKind.Automatic, false, 0, cts.Token);
                    }
                }
                catch (Exception)
                {
                    _up = false;
                }

                if (!_up)
                {
                    Thread.Sleep(30000);
                }
            }

            Sntp.Server1 = _config.NtpServer;
            Sntp.Start();
            Sntp.UpdateNow();
        }
    }
}
