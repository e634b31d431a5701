#pragma once

#include <QVector>
#include <QWidget>

namespace Brigade {

// One bar per core with its live utilisation (0..1), in columns when there are many.
class CoreBars : public QWidget
{
    Q_OBJECT
public:
    explicit CoreBars(QWidget *parent = nullptr);

    void setLoads(const QVector<double> &loads);
    const QVector<double> &loads() const { return m_loads; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    int columnsFor(int width) const;
    int rowHeight() const;
    int cellMinWidth() const;

    QVector<double> m_loads;
};

} // namespace Brigade
