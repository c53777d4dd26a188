#pragma once

#include <QWidget>

class QLabel;

namespace Ui {

// A holder for a QLabel whose text changes while a run goes on (rates, counters, the status
// line). A QLabel in a layout asks the whole window to lay out again on every text change
// (QWidget::updateGeometry climbs through every splitter and layout up to the window); at a few
// updates a second per label, at 5,000 requests/s, that relayout cost the GUI thread more than
// the proxy did. Here the label sits without a layout, so its updateGeometry() stops at this
// holder, which keeps its own height: it grows when the text needs more lines and settles
// again on a resize, so only that rare change reaches the window's layout. Use label() as any
// QLabel (setText, setWordWrap, setTextFormat, ...).
class LiveLabel : public QWidget
{
    Q_OBJECT
public:
    explicit LiveLabel(QWidget *parent = nullptr);

    QLabel *label() const { return m_label; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    bool event(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    int neededHeight() const;
    // allowShrink: on a resize the height may go down; a text change only grows it, so a
    // counter changing between one and two lines does not move the window's layout each time.
    void fitHeight(bool allowShrink);

    QLabel *m_label = nullptr;
    int m_height = 0;
    int m_width = 0; // of one-line text: the widest it has been since shown
};

} // namespace Ui
