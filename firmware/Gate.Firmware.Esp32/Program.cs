using System;
using System.Diagnostics;
using System.Threading;
using Gate.Contracts;
using Gate.Firmware.Config;
using Gate.Firmware.Feedback;
using nanoFramework.Runtime.Native;

namespace Gate.Firmware.Esp32
{
    /// <summary>
    /// Wiring only: every decision lives in Gate.Firmware.Core. Boot order:
    ///   1. flash (I:\), boot counter and outbox come back before anything can raise an alarm;
    ///   2. gate.json + board.json; if they are missing or invalid, blink trouble and re-read every 30 s
    ///      (a technician can deploy a corrected file with nanoff), never a crash loop;
    ///   3. network (Wi-Fi or Ethernet) and SNTP on their own thread, so the gate works while offline;
    ///   4. the control loop, every 10 ms, and a supervisor thread that reboots a stalled loop.
    /// </summary>
    public static class Program
    {
        public const string Firmware = "1.0.0";
        private const int LoopMs = 10;
        private const int StallRebootMs = 60000;
        private static long _lastLoopMs;

        public static void Main()
        {
            InternalFlashStorage storage = new InternalFlashStorage(InternalFlashStorage.InternalDrive);
            Esp32GateIo io = new Esp32GateIo();
            string resetReason = RebootRecord.TakeReason(storage);

            DeviceConfig config;
            BoardPins pins;
            string error;
            while (!GateBootstrap.TryLoad(storage, out config, out pins, out error))
            {
                Debug.WriteLine("gate: configuration unusable: " + error);
                ShowTrouble(io, GateBootstrap.TroubleLedPin(storage), 30000);
            }

            foreach (string warning in pins.Warnings)
            {
                Debug.WriteLine("gate: " + warning);
            }

            io.Open(config, pins);
            NetworkStarter network = new NetworkStarter(config, pins);
            network.Start();

            M2MqttTransport transport = new M2MqttTransport();
            DeviceIdentity identity = new DeviceIdentity();
            identity.Firmware = Firmware;
            identity.ResetReason = resetReason;
            GateController controller = new GateController(config, pins, storage, transport, io, identity);
            while (true)
            {
                try
                {
                    // Reloads the outbox and writes the boot counter: without a working flash no alarm id is
                    // safe to issue, so keep showing trouble and retry rather than run or crash.
                    controller.Start(Environment.TickCount64);
                    break;
                }
                catch (Exception ex)
                {
                    Debug.WriteLine("gate: flash unusable: " + ex.Message);
                    ShowTrouble(io, pins.Pin(GateFunction.Led), 30000);
                }
            }

            _lastLoopMs = Environment.TickCount64;
            new Thread(Supervise).Start();

            long nextHealthMs = 0;
            while (true)
            {
                long now = Environment.TickCount64;
                if (now >= nextHealthMs)
                {
                    // GC.Run(false) is cheap enough once a second and is the only free-memory figure nanoFramework gives.
                    controller.FreeMemory = (int)nanoFramework.Runtime.Native.GC.Run(false);
                    controller.Rssi = network.Rssi;
                    nextHealthMs = now + 1000;
                }

                controller.Poll(now, network.ClockIsSet ? DateTime.UtcNow : UtcTime.NotSet);
                PendingAction action = controller.Action;
                if (action == PendingAction.Reboot || action == PendingAction.ReloadConfig)
                {
                    // reload_config is a reboot too: the configuration is read once, at boot, by the same path.
                    RebootRecord.Save(storage, controller.ActionReason);
                    transport.Abort();
                    Power.RebootDevice();
                }

                _lastLoopMs = now;
                Thread.Sleep(LoopMs);
            }
        }

        /// <summary>Reboots when the control loop has not turned for a minute (a wedged driver or socket).</summary>
        private static void Supervise()
        {
            while (true)
            {
                Thread.Sleep(5000);
                if (Environment.TickCount64 - _lastLoopMs > StallRebootMs)
                {
                    Power.RebootDevice();
                }
            }
        }

        private static void ShowTrouble(Esp32GateIo io, int ledPin, int forMs)
        {
            GuardFeedback feedback = new GuardFeedback();
            long end = Environment.TickCount64 + forMs;
            while (Environment.TickCount64 < end)
            {
                feedback.Update(DeliveryView.None, true, false, true, Environment.TickCount64);
                if (ledPin >= 0)
                {
                    io.WriteDigital(ledPin, feedback.Led);
                }

                Thread.Sleep(50);
            }
        }
    }
}
