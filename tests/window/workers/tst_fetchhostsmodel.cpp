// The fetched hosts table of the workers panel: what each column says for open, paused
// and broken hosts, rows appended as the engine meets hosts, the table shown only when a
// run fetches over HTTP.
#include "window/workers/CorePanel.h"
#include "window/workers/FetchHostsModel.h"

#include <QApplication>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace Brigade;

class tst_FetchHostsModel : public QObject
{
    Q_OBJECT
private slots:
    void columnsSayStateRateAndNext();
    void rowsAreAppended();
    void panelShowsTheTableOnlyWithHosts();
};

namespace {

HostPaceInfo host(const char *name, HostPaceInfo::State state)
{
    HostPaceInfo h;
    h.host = QString::fromLatin1(name);
    h.state = state;
    return h;
}

QString cell(const FetchHostsModel &m, int row, int column)
{
    return m.data(m.index(row, column)).toString();
}

} // namespace

void tst_FetchHostsModel::columnsSayStateRateAndNext()
{
    FetchHostsModel m;
    HostPaceInfo limited = host("https://api.example.com:443", HostPaceInfo::State::Open);
    limited.inFlight = 3;
    limited.inFlightLimit = 4;
    limited.ratePerSecond = 9;
    limited.limitPerSecond = 10;
    limited.nextAllowedMs = 5000;
    HostPaceInfo paused = host("http://b:80", HostPaceInfo::State::Paused);
    paused.nextAllowedMs = 6500;
    paused.why = QStringLiteral("HTTP 429, Retry-After 1.5 s");
    paused.errors = 2;
    HostPaceInfo broken = host("http://c:8080", HostPaceInfo::State::Broken);
    broken.errors = 5;
    broken.why = QStringLiteral("connection refused");
    m.setHosts({limited, paused, broken}, 5000);
    QCOMPARE(m.rowCount(), 3);
    QCOMPARE(cell(m, 0, FetchHostsModel::Host), QStringLiteral("https://api.example.com:443"));
    QCOMPARE(cell(m, 0, FetchHostsModel::State), QStringLiteral("open"));
    QCOMPARE(cell(m, 0, FetchHostsModel::InFlight), QStringLiteral("3 of 4"));
    QCOMPARE(cell(m, 0, FetchHostsModel::Rate), QStringLiteral("9/s of 10/s"));
    QCOMPARE(cell(m, 0, FetchHostsModel::Next), QStringLiteral("now"));
    QCOMPARE(cell(m, 0, FetchHostsModel::Errors), QString());
    QCOMPARE(cell(m, 1, FetchHostsModel::State), QStringLiteral("paused"));
    QVERIFY(cell(m, 1, FetchHostsModel::Next).startsWith(QStringLiteral("in 1.5")));
    QCOMPARE(cell(m, 1, FetchHostsModel::Rate), QStringLiteral("0/s"));
    QVERIFY(m.data(m.index(1, 0), Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("paused: HTTP 429, Retry-After 1.5 s")));
    QCOMPARE(cell(m, 2, FetchHostsModel::State), QStringLiteral("broken"));
    QCOMPARE(cell(m, 2, FetchHostsModel::Errors), QStringLiteral("5"));
    QVERIFY(m.data(m.index(2, FetchHostsModel::State), Qt::ForegroundRole).isValid());
    QVERIFY(!m.data(m.index(0, FetchHostsModel::State), Qt::ForegroundRole).isValid());
}

void tst_FetchHostsModel::rowsAreAppended()
{
    FetchHostsModel m;
    QSignalSpy inserted(&m, &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(&m, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
    const HostPaceInfo a = host("http://a:80", HostPaceInfo::State::Open);
    const HostPaceInfo b = host("http://b:80", HostPaceInfo::State::Open);
    m.setHosts({a}, 0);
    m.setHosts({a, b}, 100);
    QCOMPARE(inserted.size(), 2);
    QCOMPARE(changed.size(), 1); // the row that was there
    m.setHosts({a, b}, 200);
    QCOMPARE(changed.size(), 2);
    QCOMPARE(reset.size(), 0);
    m.setHosts({}, 0); // a new run
    QCOMPARE(reset.size(), 1);
    QCOMPARE(m.rowCount(), 0);
}

void tst_FetchHostsModel::panelShowsTheTableOnlyWithHosts()
{
    CorePanel panel;
    panel.show();
    auto *table = panel.findChild<QTableView *>(QStringLiteral("fetchHostTable"));
    QVERIFY(table);
    LoadSample sample;
    sample.cores = {0.5};
    panel.addSample(sample);
    QVERIFY(!table->isVisible());
    sample.hosts = {host("http://a:80", HostPaceInfo::State::Broken)};
    panel.addSample(sample);
    QVERIFY(table->isVisible());
    QCOMPARE(panel.fetchHosts()->rowCount(), 1);
    panel.clear();
    QVERIFY(!table->isVisible());
    QCOMPARE(panel.fetchHosts()->rowCount(), 0);
}

QTEST_MAIN(tst_FetchHostsModel)
#include "tst_fetchhostsmodel.moc"
